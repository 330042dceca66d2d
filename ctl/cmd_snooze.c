/* cmd_snooze.c - `casewatchctl snooze`: hold back escalation of open alerts until a time. */
#include "config.h"

#include <stdbool.h>

#include "ctl.h"
#include "socket_cmd.h"

/* casewatchctl snooze: the change ack makes, with --until and a required reason (ctl/change.c). */
int cmd_snooze(int argc, char **argv)
{
	return ctl_change(argc, argv, "snooze");
}
