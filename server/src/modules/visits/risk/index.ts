/** The risk engine of DESIGN §5.1: pure functions from check-in facts and a tenant policy to a scored verdict. */
export type { Assessment, CheckInFacts, RiskCode, RiskFix, RiskPolicy, RiskReason, Verdict, WifiSighting } from './risk';
export { caseMockFlag, stepMockFlag, type CorpusCase, type CorpusStep, type VisitCorpus } from './corpus';
export { assessCheckIn, riskChecks, withReason, type RiskCheck } from './assess-check-in';
export { defaultRiskPolicy, riskPolicySchema, verdictFor, worseVerdict, type RiskPolicyOverrides } from './risk-policy';
export { photoReusedReason, type PhotoMatch } from './photo-reused.reason';
export { finishShortfallReasons } from './finish-shortfall.reason';
export { normalizeBssid, reportedBssids } from './wifi-mismatch.check';
export { fixCentroid } from './fix-centroid';
export { LOCATION_SOURCES, mockFlagClass, osFamily, type LocationSource, type MockFlag } from './location-source';
