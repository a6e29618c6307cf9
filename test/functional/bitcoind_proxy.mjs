// A bitcoind-style JSON-RPC endpoint in front of bcoin for clients that expect
// bitcoind's wallet calls (blockstack.js's BitcoindAPI). importaddress is accepted
// and listunspent answered from bcoin's address index (start bcoin with
// indexAddress), so no watch-only wallet is needed; everything else goes to
// bcoin's RPC. Addresses are converted between bitcoind's testnet/regtest
// prefixes (0x6f/0xc4) and bcoin 1.0.2's regtest ones (0x3c/0x26).
import http from 'node:http';

import { fromBcoinAddress, toBcoinAddress } from './harness.mjs';

const COINBASE_MATURITY = 100;

export async function startBitcoindProxy(bcoin) {
  const auth = `Basic ${Buffer.from(`${bcoin.user}:${bcoin.apiKey}`).toString('base64')}`;
  const listUnspent = async ([minconf = 1, maxconf = 9999999, addresses = []]) => {
    const tip = await bcoin.rpc('getblockcount');
    const out = [];
    for (const address of addresses) {
      const res = await fetch(`http://127.0.0.1:${bcoin.port}/coin/address/${toBcoinAddress(address)}`,
        { headers: { Authorization: auth } });
      for (const c of await res.json()) {
        const confirmations = c.height < 0 ? 0 : tip - c.height + 1;
        if (confirmations < minconf || confirmations > maxconf) continue;
        if (c.coinbase && confirmations <= COINBASE_MATURITY) continue;
        out.push({ txid: c.hash, vout: c.index, address: fromBcoinAddress(c.address), amount: c.value / 1e8,
          confirmations, scriptPubKey: c.script });
      }
    }
    return out;
  };
  const forward = async (call) => {
    const reply = (result, error = null) => ({ jsonrpc: '1.0', id: call.id ?? null, result, error });
    try {
      if (call.method === 'importaddress') return reply(null);
      if (call.method === 'listunspent') return reply(await listUnspent(call.params || []));
      return reply(await bcoin.rpc(call.method, call.params || []));
    } catch (e) {
      return reply(null, { code: -1, message: e.message });
    }
  };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => { data += d; });
    req.on('end', async () => {
      let call;
      try {
        call = JSON.parse(data);
      } catch {
        res.writeHead(400);
        res.end();
        return;
      }
      const answer = Array.isArray(call) ? await Promise.all(call.map(forward)) : await forward(call);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}
