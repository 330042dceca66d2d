/* fuzz_conf.c - the configuration parser: any bytes as casewatch.conf. */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *errors = NULL;
	struct cw_conf *conf = cw_conf_load(fuzz_write("fuzz.conf", data, size), &errors);

	cw_conf_free(conf);
	free(errors);
	return 0;
}
