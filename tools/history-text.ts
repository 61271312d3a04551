/** A workflow history's JSON with every payload (inputs, results, search attributes) decoded alongside, for secret scans. */
export function historyWithDecodedPayloads(json: string): string {
  const decoded: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.data === 'string' && record.metadata && typeof record.metadata === 'object') {
        decoded.push(Buffer.from(record.data, 'base64').toString('utf8'));
      }
      Object.values(record).forEach(visit);
    }
  };
  visit(JSON.parse(json));
  return `${json}\n${decoded.join('\n')}`;
}
