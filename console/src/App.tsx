import { Center, Loader } from '@mantine/core';
import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { DistributionDetail } from './pages/distributions/DistributionDetail';
import { DistributionList } from './pages/distributions/DistributionList';
import { DistributionWizard } from './pages/distributions/DistributionWizard';
import { CampaignForm } from './pages/campaigns/CampaignForm';
import { CampaignList } from './pages/campaigns/CampaignList';
import { PromotionForm } from './pages/campaigns/PromotionForm';
import { CustomerImport } from './pages/customers/CustomerImport';
import { CustomerList } from './pages/customers/CustomerList';
import { CustomerPage } from './pages/customers/CustomerPage';
import { NotFound } from './pages/NotFound';
import { ChannelAccounts } from './pages/settings/ChannelAccounts';
import { Consents } from './pages/settings/Consents';
import { SegmentForm } from './pages/segments/SegmentForm';
import { SegmentList } from './pages/segments/SegmentList';
import { SignIn } from './pages/SignIn';
import { useSession } from './session';

export function App() {
  const { session, loading } = useSession();
  if (loading) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
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
        <Route path="customers" element={<CustomerList />} />
        <Route path="customers/import" element={<CustomerImport />} />
        <Route path="customers/:id" element={<CustomerPage />} />
        <Route path="channels" element={<ChannelAccounts />} />
        <Route path="consents" element={<Consents />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
