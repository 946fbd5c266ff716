/**
 * Cloud regions that sit in the same metropolitan area as an AWS region,
 * from the providers' published region locations. A power, network or
 * weather event in a metro can take down every provider there at once, so
 * a lone vantage or control region in a target's metro is not independent
 * of it. Only pairs whose city is published for both sides are listed; a
 * region missing here is simply not compared.
 */
const metros: Readonly<Record<string, { aws: string; gcp?: string[]; azure?: string[] }>> = {
  "Northern Virginia": { aws: "us-east-1", gcp: ["us-east4"], azure: ["eastus", "eastus2"] },
  "Columbus, Ohio": { aws: "us-east-2", gcp: ["us-east5"] },
  Montréal: { aws: "ca-central-1", gcp: ["northamerica-northeast1"] },
  "São Paulo": { aws: "sa-east-1", gcp: ["southamerica-east1"], azure: ["brazilsouth"] },
  Dublin: { aws: "eu-west-1", azure: ["northeurope"] },
  London: { aws: "eu-west-2", gcp: ["europe-west2"], azure: ["uksouth"] },
  Paris: { aws: "eu-west-3", gcp: ["europe-west9"], azure: ["francecentral"] },
  Frankfurt: { aws: "eu-central-1", gcp: ["europe-west3"], azure: ["germanywestcentral"] },
  Zurich: { aws: "eu-central-2", gcp: ["europe-west6"], azure: ["switzerlandnorth"] },
  Milan: { aws: "eu-south-1", gcp: ["europe-west8"], azure: ["italynorth"] },
  "Tel Aviv": { aws: "il-central-1", gcp: ["me-west1"], azure: ["israelcentral"] },
  Mumbai: { aws: "ap-south-1", gcp: ["asia-south1"], azure: ["westindia"] },
  Singapore: { aws: "ap-southeast-1", gcp: ["asia-southeast1"], azure: ["southeastasia"] },
  Jakarta: { aws: "ap-southeast-3", gcp: ["asia-southeast2"] },
  Sydney: { aws: "ap-southeast-2", gcp: ["australia-southeast1"], azure: ["australiaeast"] },
  Melbourne: { aws: "ap-southeast-4", gcp: ["australia-southeast2"], azure: ["australiasoutheast"] },
  Tokyo: { aws: "ap-northeast-1", gcp: ["asia-northeast1"], azure: ["japaneast"] },
  Osaka: { aws: "ap-northeast-3", gcp: ["asia-northeast2"], azure: ["japanwest"] },
  Seoul: { aws: "ap-northeast-2", gcp: ["asia-northeast3"], azure: ["koreacentral"] },
  "Hong Kong": { aws: "ap-east-1", gcp: ["asia-east2"], azure: ["eastasia"] },
  "Cape Town": { aws: "af-south-1", azure: ["southafricawest"] },
};

/** The metro an AWS region shares with a region of `provider` (`gcp`, `azure`), or undefined when none is listed. */
export function sharedMetro(awsRegion: string, provider: string, region: string): string | undefined {
  for (const [metro, regions] of Object.entries(metros)) {
    if (regions.aws !== awsRegion) continue;
    const others = provider === "gcp" ? regions.gcp : provider === "azure" ? regions.azure : undefined;
    if (others?.includes(region.toLowerCase())) return metro;
  }
  return undefined;
}
