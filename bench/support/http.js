// What the HTTP benchmarks share: a free loopback port, waiting for a server, medians, the machine line.
const net = require('node:net');
const os = require('node:os');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The middle value (the lower of the two middle ones for an even count). */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` every 100 ms until it answers 2xx (returns that response) or `timeoutMs` passes. */
async function waitFor(url, headers = {}, timeoutMs = 60_000) {
  for (let i = 0; i < timeoutMs / 100; i++) {
    try {
      const res = await fetch(url, { headers });
      if (res.ok) return res;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

/** Date, processor, memory, Node and load at the start: the header of every results file. */
function machineInfo() {
  return {
    date: new Date().toISOString(),
    cpus: `${os.cpus().length} × ${os.cpus()[0].model}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

module.exports = { freePort, machineInfo, median, sleep, waitFor };
