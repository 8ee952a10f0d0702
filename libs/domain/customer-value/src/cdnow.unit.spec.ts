import { fitBgNbd } from './bgnbd';
import { fitGammaGamma } from './gamma-gamma';
import { summariseOccasions } from './summaries';
import { cdnowOccasions, cdnowPaperSummary } from './testing';

// The reproduction the issue asks for: the CDNOW 1/10 sample, 39-week calibration ending
// 1997-09-30, against the published estimates (FHL 2005 "Counting your customers the easy way",
// Table/§5: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4; FHL 2005 "RFM and CLV" / Fader &
// Hardie's note 025: p = 6.25, q = 3.74, γ = 15.44). The route-level version is in services/analytics.
const within1Percent = (actual: number, published: number) => expect(Math.abs(actual / published - 1)).toBeLessThan(0.01);

describe('CDNOW reproduction (FHL 2005)', () => {
  const summaries = summariseOccasions(cdnowOccasions(), '1997-09-30', 'week');

  it('summarises the transactions exactly as the paper did (2,357 customers, same x, t_x, T, mean repeat spend)', () => {
    const paper = cdnowPaperSummary();
    expect(summaries).toHaveLength(2357);
    expect(summaries.filter((s) => s.x > 0)).toHaveLength(946);
    const byId = new Map(summaries.map((s) => [Number(s.customerId), s]));
    for (const row of paper) {
      const ours = byId.get(Number(row.id))!;
      expect(ours.x).toBe(row.x);
      // The paper's file rounds to two decimals.
      expect(Math.abs(ours.tx - row.tx)).toBeLessThan(0.006);
      expect(Math.abs(ours.T - row.T)).toBeLessThan(0.006);
      expect(Math.abs(ours.monetary - row.zbar)).toBeLessThan(0.006);
    }
  });

  it('BG/NBD: r = 0.243, α = 4.414 weeks, a = 0.793, b = 2.426 within 1%, LL = −9582.4', () => {
    const fit = fitBgNbd(summaries);
    expect(fit.converged).toBe(true);
    expect(fit.atBoundary).toBe(false);
    within1Percent(fit.params.r, 0.243);
    within1Percent(fit.params.alpha, 4.414);
    within1Percent(fit.params.a, 0.793);
    within1Percent(fit.params.b, 2.426);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  it('Gamma-Gamma over the 946 repeat customers: p = 6.25, q = 3.74, γ = 15.44 within 1%', () => {
    const fit = fitGammaGamma(summaries.filter((s) => s.x > 0).map((s) => ({ x: s.x, m: s.monetary })));
    expect(fit.converged).toBe(true);
    within1Percent(fit.params.p, 6.25);
    within1Percent(fit.params.q, 3.74);
    within1Percent(fit.params.gamma, 15.44);
  });
});
