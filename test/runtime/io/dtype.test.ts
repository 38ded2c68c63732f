// Half-precision conversions checked exhaustively: every half / bfloat16 value, every rounding midpoint.
import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, decodeBf16, decodeF16, encodeBf16, encodeF16, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../../runtime/io/dtype';

const all16 = () => Uint16Array.from({ length: 65536 }, (_, i) => i);
const isNaN16 = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const isNaNBf16 = (b: number) => (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;

describe('float16', () => {
  it('decodes known values', () => {
    expect(f16BitsToF32(0x3c00)).toBe(1);
    expect(f16BitsToF32(0xc000)).toBe(-2);
    expect(f16BitsToF32(0x7bff)).toBe(65504);
    expect(f16BitsToF32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(f16BitsToF32(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(f16BitsToF32(0x7c00)).toBe(Infinity);
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
  });

  it('round-trips all 65,536 half values bit for bit (NaN stays NaN), and the table decoder agrees', () => {
    const bits = all16();
    const table = decodeF16(bits);
    const back = encodeF16(table);
    for (let h = 0; h < 65536; h++) {
      if (isNaN16(h)) {
        expect(Number.isNaN(table[h]), `0x${h.toString(16)}`).toBe(true);
        expect(isNaN16(back[h]), `0x${h.toString(16)}`).toBe(true);
      } else {
        if (back[h] !== h) expect(back[h].toString(16)).toBe(h.toString(16));
        if (!Object.is(table[h], Math.fround(f16BitsToF32(h)))) expect(table[h]).toBe(f16BitsToF32(h));
      }
    }
  });

  it('rounds every midpoint between neighbouring halves to the even one, and just off it to the nearer', () => {
    // Midpoints need 12 significant bits, so they are exact float32 values; nextafter is 1 float32 ulp.
    const f = new Float32Array(3);
    const u = new Uint32Array(f.buffer);
    for (let h = 0; h < 0x7bff; h++) {
      const lo = f16BitsToF32(h);
      const hi = f16BitsToF32(h + 1);
      f[0] = (lo + hi) / 2;
      expect(f[0]).toBe((lo + hi) / 2);
      u[1] = u[0] - (f[0] === 0 ? 0 : 1);
      u[2] = u[0] + 1;
      const even = h % 2 === 0 ? h : h + 1;
      const got = f32ToF16Bits(f[0]);
      if (got !== even) expect(`0x${got.toString(16)} for ${f[0]}`).toBe(`0x${even.toString(16)}`);
      if (f[0] !== 0 && f32ToF16Bits(f[1]) !== h) expect(f32ToF16Bits(f[1])).toBe(h);
      if (f32ToF16Bits(f[2]) !== h + 1) expect(f32ToF16Bits(f[2])).toBe(h + 1);
      if (f32ToF16Bits(-f[0]) !== (even | 0x8000)) expect(f32ToF16Bits(-f[0])).toBe(even | 0x8000);
    }
  });

  it('overflows to infinity from 65520 up, underflows to signed zero below half the smallest subnormal', () => {
    expect(f32ToF16Bits(65519.99)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(1e30)).toBe(0x7c00);
    expect(f32ToF16Bits(-1e30)).toBe(0xfc00);
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal → even (0)
    expect(f32ToF16Bits(2 ** -25 * 1.0001)).toBe(1);
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(2); // tie between subnormals 1 and 2 → 2
    expect(f32ToF16Bits(-(2 ** -30))).toBe(0x8000);
    expect(f32ToF16Bits(1e-45)).toBe(0); // float32 subnormal input
    expect(f32ToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up from subnormal into the normal range
  });
});

describe('bfloat16', () => {
  it('round-trips all 65,536 bfloat16 values bit for bit (NaN stays NaN), array and scalar forms agree', () => {
    const bits = all16();
    const values = decodeBf16(bits);
    const back = encodeBf16(values);
    for (let b = 0; b < 65536; b++) {
      expect(Object.is(values[b], bf16BitsToF32(b)) || (Number.isNaN(values[b]) && Number.isNaN(bf16BitsToF32(b)))).toBe(true);
      if (isNaNBf16(b)) expect(isNaNBf16(back[b])).toBe(true);
      else if (back[b] !== b) expect(back[b].toString(16)).toBe(b.toString(16));
    }
  });

  it('rounds midpoints to even and everything else to nearest', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let b = 0; b < 0x7f7f; b += 1) {
      u[0] = (b << 16) | 0x8000; // exact midpoint between b and b + 1
      const even = b % 2 === 0 ? b : b + 1;
      if (f32ToBf16Bits(f[0]) !== even) expect(f32ToBf16Bits(f[0])).toBe(even);
      u[0] = (b << 16) | 0x7fff;
      if (f32ToBf16Bits(f[0]) !== b) expect(f32ToBf16Bits(f[0])).toBe(b);
      u[0] = (b << 16) | 0x8001;
      if (f32ToBf16Bits(f[0]) !== b + 1) expect(f32ToBf16Bits(f[0])).toBe(b + 1);
    }
    expect(f32ToBf16Bits(3.4028234663852886e38)).toBe(0x7f80); // max float32 rounds to +Inf
    expect(f32ToBf16Bits(-3.4028234663852886e38)).toBe(0xff80);
    expect(isNaNBf16(f32ToBf16Bits(NaN))).toBe(true);
  });
});
