/** The go-live steps of a tenant, in the order the README «正式上线» walks them. */
export const onboardingStepKeys = ['tenant', 'org', 'admins', 'regions', 'pools', 'customers', 'approval', 'robots'] as const;
export type OnboardingStepKey = (typeof onboardingStepKeys)[number];

/** One step of `GET /api/v1/admin/onboarding`: whether the database says it is done, and where it is done. */
export interface OnboardingStep {
  key: OnboardingStepKey;
  title: string;
  done: boolean;
  /** What the database holds for it now, or what is missing (Chinese, for the admin). */
  detail: string;
  /** The mini-program page where the step is done, or null when it is done on the server's command line. */
  page: string | null;
  /** The server command that does it, or null when a page does. */
  command: string | null;
}

/** What the steps are decided from: counts and names read from the tenant's rows. */
export interface OnboardingFacts {
  tenant: { id: string; name: string; platform: 'dingtalk' | 'wecom'; corpId: string; approvalTemplateId: string | null; poolReturnBots: number };
  departments: number;
  activeUsers: number;
  /** When the org sync last wrote a department (ms), or null before the first sync. */
  orgUpdatedAt: number | null;
  /** Names of the active admins, by user id. */
  admins: string[];
  /** Names of the departments marked as regions. */
  regions: string[];
  /** The pools in use, each with how many member departments and enabled rules it has. */
  pools: { name: string; departments: number; enabledRules: number }[];
  customers: number;
}
