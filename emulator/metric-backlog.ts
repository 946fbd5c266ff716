import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";

/** One raw CloudWatch datum, as a backlog seeds it (dimensions by name). */
export interface BacklogDatum {
  metricName: string;
  value: number;
  /** Epoch seconds. */
  at: number;
  dimensions: Record<string, string>;
}

/**
 * Writes `datums` straight into the emulator's CloudWatch in `region`, 1,000
 * per call: the old data a long drill leaves behind, for benchmarks that
 * measure reads over a full store. It goes around MetricsBus on purpose
 * (the bus publishes one round at a time, with the round's own timestamp).
 */
export async function seedMetricBacklog(
  endpoint: string,
  region: string,
  namespace: string,
  datums: readonly BacklogDatum[],
): Promise<void> {
  // moto answers 500 to a gzip-compressed body; the SDK compresses bodies of 10 KiB and more.
  const client = new CloudWatchClient({
    endpoint,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    disableRequestCompression: true,
  });
  const metricData = datums.map((d) => ({
    MetricName: d.metricName,
    Value: d.value,
    Timestamp: new Date(d.at * 1000),
    Dimensions: Object.entries(d.dimensions).map(([Name, Value]) => ({ Name, Value })),
  }));
  for (let offset = 0; offset < metricData.length; offset += 1000) {
    await client.send(
      new PutMetricDataCommand({ Namespace: namespace, MetricData: metricData.slice(offset, offset + 1000) }),
    );
  }
}
