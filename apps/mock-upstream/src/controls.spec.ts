import { describe, expect, it } from 'vitest';

import { applySettings, controlsOf, MockControlError, parseControlSuffix, resolveControls, splitModel } from './controls.js';

describe('controls', () => {
  it('splits a control suffix off the model name', () => {
    expect(splitModel('mock-gpt')).toEqual({ name: 'mock-gpt', suffix: undefined });
    expect(splitModel('mock-gpt@fail=500')).toEqual({ name: 'mock-gpt', suffix: 'fail=500' });
    expect(splitModel('mock-gpt@nousage')).toEqual({ name: 'mock-gpt', suffix: 'nousage' });
    // Vertex-style versioned names are not controls.
    expect(splitModel('claude-3-5-sonnet@20240620')).toEqual({ name: 'claude-3-5-sonnet@20240620', suffix: undefined });
  });

  it('parses every suffix control and its aliases', () => {
    expect(parseControlSuffix('latency=50,chunks=5,disconnect=3,nousage')).toEqual({ latencyMs: 50, chunks: 5, disconnectAfter: 3, noUsage: true });
    expect(
      parseControlSuffix('fail=insufficient_balance,fail-rate=0.25,fail_status=503,seed=abc,chunk-delay=7,tokens=9,cached=4,cacheWrite=2,retryAfter=1'),
    ).toEqual({ fail: 'insufficient_balance', failRate: 0.25, failStatus: 503, seed: 'abc', chunkDelayMs: 7, tokens: 9, cachedTokens: 4, cacheWriteTokens: 2, retryAfter: 1 });
    expect(parseControlSuffix('fail=429')).toEqual({ fail: 429 });
    expect(parseControlSuffix('nousage=0')).toEqual({ noUsage: false });
  });

  it('rejects unknown names and bad values', () => {
    expect(() => parseControlSuffix('fial=500')).toThrow(MockControlError);
    expect(() => parseControlSuffix('fail=200')).toThrow(/invalid/);
    expect(() => parseControlSuffix('failRate=1.5')).toThrow(MockControlError);
    expect(() => parseControlSuffix('latency=-1')).toThrow(MockControlError);
    expect(() => parseControlSuffix('chunks=0')).toThrow(MockControlError);
  });

  it('layers defaults, then the model suffix, then headers', () => {
    const defaults = { latencyMs: 10, tokens: 5 };
    expect(resolveControls(defaults, undefined, {})).toBe(defaults);
    expect(resolveControls(defaults, 'tokens=7,fail=500', {})).toEqual({ latencyMs: 10, tokens: 7, fail: 500 });
    expect(resolveControls(defaults, 'tokens=7', { 'x-mock-tokens': '8', 'x-mock-no-usage': '1', 'x-mock-fail': '503' })).toEqual({
      latencyMs: 10,
      tokens: 8,
      noUsage: true,
      fail: 503,
    });
    expect(defaults).toEqual({ latencyMs: 10, tokens: 5 });
    expect(() => resolveControls({}, undefined, { 'x-mock-latency-ms': 'soon' })).toThrow(/x-mock-latency-ms/);
  });

  it('applies control bodies, null clearing a field', () => {
    const settings = applySettings({}, { failRate: 0.5, seed: 7, noUsage: true, revokedKeys: ['sk-old'] });
    expect(settings).toEqual({ failRate: 0.5, seed: '7', noUsage: true, revokedKeys: ['sk-old'] });
    expect(controlsOf(settings)).toEqual({ failRate: 0.5, seed: '7', noUsage: true });
    expect(applySettings(settings, { failRate: null, revokedKeys: null })).toEqual({ seed: '7', noUsage: true });
    expect(() => applySettings({}, { bogus: 1 })).toThrow(MockControlError);
    expect(() => applySettings({}, { revokedKeys: 'sk' })).toThrow(MockControlError);
    expect(() => applySettings({}, [])).toThrow(MockControlError);
  });
});
