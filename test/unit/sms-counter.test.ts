import { countSms } from '../../console/src/pages/templates/sms-counter';

describe("the SMS editor's character and part counter", () => {
  it('counts GSM-7 texts: 160 in one message, 153 per part beyond', () => {
    expect(countSms('')).toMatchObject({ encoding: 'GSM-7', characters: 0, parts: 0 });
    expect(countSms('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', characters: 160, parts: 1, remaining: 0 });
    expect(countSms('a'.repeat(161))).toMatchObject({ parts: 2, perPart: 153, remaining: 306 - 161 });
    expect(countSms('a'.repeat(306))).toMatchObject({ parts: 2, remaining: 0 });
    expect(countSms('a'.repeat(307))).toMatchObject({ parts: 3 });
  });

  it('counts an extension character (€, {, ]) as two septets and keeps GSM-7', () => {
    expect(countSms('€')).toMatchObject({ encoding: 'GSM-7', characters: 2 });
    expect(countSms(`${'a'.repeat(158)}{`)).toMatchObject({ characters: 160, parts: 1 });
    expect(countSms(`${'a'.repeat(159)}{`)).toMatchObject({ characters: 161, parts: 2 });
    expect(countSms('Grüße à Zoë? ñ')).toMatchObject({ encoding: 'UCS-2' }); // ë is not in GSM-7
    expect(countSms('Grüße à Zoé ñ')).toMatchObject({ encoding: 'GSM-7' });
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7: 70, then 67 per part', () => {
    expect(countSms(`${'a'.repeat(69)}ł`)).toMatchObject({ encoding: 'UCS-2', characters: 70, parts: 1, remaining: 0 });
    expect(countSms(`${'a'.repeat(70)}ł`)).toMatchObject({ encoding: 'UCS-2', characters: 71, parts: 2, perPart: 67 });
    expect(countSms('😀'.repeat(34))).toMatchObject({ encoding: 'UCS-2', characters: 68, parts: 1 });
    expect(countSms(`${'x'.repeat(134)}ł`)).toMatchObject({ parts: 3 });
  });
});
