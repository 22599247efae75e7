export function DistributionWizard() {
  return null;
}
