/* cmd_unack.c - `casewatchctl unack` and `unsnooze`: take back an acknowledgement or a snooze (audited). */
#include "config.h"

#include <stdbool.h>

#include "ctl.h"
#include "socket_cmd.h"

/* casewatchctl unack: the alerts show as not yet seen again (ctl/change.c). */
int cmd_unack(int argc, char **argv)
{
	return ctl_change(argc, argv, "unack");
}

/* casewatchctl unsnooze: the snooze ends now (ctl/change.c). */
int cmd_unsnooze(int argc, char **argv)
{
	return ctl_change(argc, argv, "unsnooze");
}
