import type { FailoverConfig } from "../config.ts";

/**
 * The Slack app manifest (JSON; Slack accepts JSON or YAML) of the
 * `/failover` command: the slash command and the interactivity request URL
 * both point at one control region's Slack command function URL (the
 * stacks' `slackCommandUrls` output). Scope `commands` only: the modal
 * needs a bot token, results go back through `response_url`, and the alert
 * channel is the incoming webhook's, so no `chat:write`.
 */
export function slackAppManifest(config: FailoverConfig, url: string): Record<string, unknown> {
  const command = config.slack?.command ?? "/failover";
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: `${config.name} failover`.slice(0, 35),
      description: "Manual failover from Slack: status, plan, drain, promote, pin, release (confirmed in a modal).",
    },
    features: {
      bot_user: { display_name: "failover", always_online: false },
      slash_commands: [
        {
          command,
          url,
          description: "Status and manual failover of the regional-failover deployment",
          usage_hint:
            "status | plan | drain <target> | promote <target> | pin <t=w,…> | release | release-hold <target>",
          should_escape: false,
        },
      ],
    },
    oauth_config: { scopes: { bot: ["commands"] } },
    settings: {
      interactivity: { is_enabled: true, request_url: url },
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    },
  };
}
