import { Loading } from './components/errors';
import { lazy, type ComponentType } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { NotFound } from './pages/NotFound';
import { SignIn } from './pages/SignIn';
import { useSession } from './session';

/** Screens load when first opened, so signing in fetches only the shell (the charts are the heaviest part). */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}

const DistributionDetail = page(() => import('./pages/distributions/DistributionDetail'), 'DistributionDetail');
const DistributionList = page(() => import('./pages/distributions/DistributionList'), 'DistributionList');
const DistributionWizard = page(() => import('./pages/distributions/DistributionWizard'), 'DistributionWizard');
const CampaignForm = page(() => import('./pages/campaigns/CampaignForm'), 'CampaignForm');
const CampaignList = page(() => import('./pages/campaigns/CampaignList'), 'CampaignList');
const PromotionForm = page(() => import('./pages/campaigns/PromotionForm'), 'PromotionForm');
const CampaignDetail = page(() => import('./pages/campaigns/CampaignDetail'), 'CampaignDetail');
const CustomerImport = page(() => import('./pages/customers/CustomerImport'), 'CustomerImport');
const CustomerList = page(() => import('./pages/customers/CustomerList'), 'CustomerList');
const CustomerPage = page(() => import('./pages/customers/CustomerPage'), 'CustomerPage');
const ChannelAccounts = page(() => import('./pages/settings/ChannelAccounts'), 'ChannelAccounts');
const Consents = page(() => import('./pages/settings/Consents'), 'Consents');
const SegmentForm = page(() => import('./pages/segments/SegmentForm'), 'SegmentForm');
const TemplateEditor = page(() => import('./pages/templates/TemplateEditor'), 'TemplateEditor');
const TemplateList = page(() => import('./pages/templates/TemplateList'), 'TemplateList');
const SegmentList = page(() => import('./pages/segments/SegmentList'), 'SegmentList');

export function App() {
  const { session, loading } = useSession();
  if (loading) {
    return <Loading h="100vh" />;
  }
  if (!session) return <SignIn />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/distributions" replace />} />
        <Route path="distributions" element={<DistributionList />} />
        <Route path="distributions/new" element={<DistributionWizard />} />
        <Route path="distributions/:id" element={<DistributionDetail />} />
        <Route path="distributions/:id/edit" element={<DistributionWizard />} />
        <Route path="segments" element={<SegmentList />} />
        <Route path="segments/new" element={<SegmentForm />} />
        <Route path="segments/:id" element={<SegmentForm />} />
        <Route path="campaigns" element={<CampaignList />} />
        <Route path="campaigns/new" element={<CampaignForm />} />
        <Route path="campaigns/new-promotion" element={<PromotionForm />} />
        <Route path="campaigns/:id" element={<CampaignDetail />} />
        <Route path="customers" element={<CustomerList />} />
        <Route path="customers/import" element={<CustomerImport />} />
        <Route path="customers/:id" element={<CustomerPage />} />
        <Route path="templates" element={<TemplateList />} />
        <Route path="templates/new" element={<TemplateEditor />} />
        <Route path="templates/:id" element={<TemplateEditor />} />
        <Route path="channels" element={<ChannelAccounts />} />
        <Route path="consents" element={<Consents />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
