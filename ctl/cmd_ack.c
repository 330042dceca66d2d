/* cmd_ack.c - `casewatchctl ack`: acknowledge open alerts, by id or filter. */
#include "config.h"

#include <stdbool.h>

#include "ctl.h"
#include "socket_cmd.h"

/* casewatchctl ack: the change snooze makes too, without an end (ctl/change.c). */
int cmd_ack(int argc, char **argv)
{
	return ctl_change(argc, argv, "ack");
}
