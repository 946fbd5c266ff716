/**
 * Names of every CloudWatch metric and dimension this system publishes.
 * Probes, deciders, alarms (stacks), the drill's alarm evaluator and the
 * cost model all import them from here, so a rename cannot split them.
 * The namespace is `config.metricNamespace` (default `RegionalFailover`).
 */
export const Metric = {
  /**
   * A vantage's voting round, dimension `Vantage`: the number of targets
   * whose check passed. Not the votes a decider counts (those are items of
   * the votes table, ./aws/vote-table.ts): the vantage's liveness when no
   * canary is configured (its SampleCount per minute is the vantage-silent
   * alarm's input, ./alarms.ts), sent once a minute (its first round of the
   * minute), and not at all beside a canary (CanarySuccess is then the
   * liveness).
   */
  ProbeVotes: "ProbeVotes",
  /** Check latency in milliseconds, `Target` × `Vantage`, only when `probe.publishLatency` is on. For dashboards; the decider does not read it. */
  ProbeLatency: "ProbeLatency",
  /** 1 when the vantage reached its canary, 0 when not (its round does not vote). Dimension `Vantage`. Only when `probe.canaryUrl` is set, then once a minute (its first round): the vantage-silent alarm's input (ProbeVotes is then not sent: it would be missing for a non-voting round). */
  CanarySuccess: "CanarySuccess",
  /** Replaced by ProbeVotes' and CanarySuccess' SampleCount; no longer published. Kept so alarms of older deployments are still recognised. */
  VantageHeartbeat: "VantageHeartbeat",
  /** 1 per minute in which the decider decided at least one round (read enough votes): the decider-blind alarm's input. Dimension `ControlRegion` (the decider's region). Published to every control region. */
  DeciderHeartbeat: "DeciderHeartbeat",
  /** Current weight, dimension `Target`, only with config `publishWeights` (for graphs of your own; nothing of ours reads it). In the decider's own region only, once a minute and again when it changes. */
  TargetWeight: "TargetWeight",
  /** Verdict, dimension `Target`: 1 up, 0 down (unknown is not published), only while at least one target is down: an all-up minute sends none (CloudWatch bills a metric only for the hours it gets data). In the decider's own region only, once a minute and again when it changes (dashboards). */
  TargetHealthy: "TargetHealthy",
  /** 1 per switch (a weight change actually applied, automatic or manual), only when there is one, without dimensions (for the alarm); and 1 per target it moved with `Target`, `Direction` (drain|restore|ramp|pin) and `Mode` (automatic|manual). To every control region, counted once: by the decider that won the change, or by the manual function that made it. */
  Switchover: "Switchover",
  /** 1 while every target is down and the decider fails open; not published otherwise (its alarm treats missing data as OK). Own region only. */
  AllTargetsDown: "AllTargetsDown",
  /** 1 while a target is held drained because its flap budget is spent, with no dimension and again with `Target`; not published otherwise. Own region only. */
  FlapBudgetSpent: "FlapBudgetSpent",
  /** Age in seconds of the active override lease, only while one is active. Own region only. */
  OverrideAgeSeconds: "OverrideAgeSeconds",
  /** While the decider sets a vantage's votes on a target aside (a suspect checker, functions/lib/policy/suspects.ts): 1 when the vantage saw the target down while every other vantage saw it up for `policy.suspectAfterRounds` rounds, 2 when it published conflicting votes for one round. With dimension `Vantage` (its worst value over the targets: the alarm's input, one alarm per vantage) and again with `Vantage` and `Target` (which targets); not published otherwise (its alarm treats missing data as OK). Own region only. */
  SuspectChecker: "SuspectChecker",
  /** 1 per request the Slack command refused (bad or missing signature, stale timestamp, another team, a user not on the on-call list). No dimensions; the reason is in the log line. Own region only, only when one happens. */
  SlackRequestRefused: "SlackRequestRefused",
  /** 1 per control region whose signal store refused this decider's document in a round (SignalOutcome.writes), dimension `ControlRegion` = that store's region; not published otherwise. Own region only: the store that refused may be the one whose region is down. */
  SignalWriteFailed: "SignalWriteFailed",
  /** While the drain signals are unsound, no dimension, not published otherwise: 1 = they do not give the answers the decision wants (SignalOutcome.confirmed false), 2 = a fresh document that drains is older than twice SIGNAL_REFRESH_SECONDS (its writer stopped refreshing it), 3 = both. Own region only. */
  SignalUnsound: "SignalUnsound",
} as const;

export type MetricName = (typeof Metric)[keyof typeof Metric];

export const Dimension = {
  Target: "Target",
  Vantage: "Vantage",
  ControlRegion: "ControlRegion",
  Direction: "Direction",
  Mode: "Mode",
} as const;
