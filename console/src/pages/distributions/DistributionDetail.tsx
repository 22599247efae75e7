export function DistributionDetail() {
  return null;
}
