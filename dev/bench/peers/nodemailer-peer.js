// The Node peer: what a Node.js Lambda with nodemailer does for the same
// request. Usage: node nodemailer-peer.js <cold|warm|batch> <pooled|unpooled> <count>
// Reads the request from REQUEST_FILE; SMTP_HOST, SMTP_PORT, SMTP_CA_FILE.
// Prints {"latenciesMs": [...]} (one entry per message; for batch, one per
// batch of 10) on stdout.
'use strict';
const fs = require('fs');
const nodemailer = require('nodemailer');

const [mode, pooling, countArg] = process.argv.slice(2);
const count = Number(countArg || 1);
const req = JSON.parse(fs.readFileSync(process.env.REQUEST_FILE, 'utf8'));

// Created once per process, at module scope, as Lambda handlers do.
const transport = nodemailer.createTransport({
  host: process.env.SMTP_HOST,
  port: Number(process.env.SMTP_PORT),
  secure: false,
  requireTLS: true,
  auth: { user: req.user, pass: req.password },
  tls: { ca: [fs.readFileSync(process.env.SMTP_CA_FILE)], servername: 'localhost' },
  pool: pooling === 'pooled',
  maxConnections: 1,
});

async function handler(r) {
  const info = await transport.sendMail({
    from: { name: r.fromUsername, address: r.user },
    to: r.toEmail,
    subject: r.subject,
    text: r.text,
    html: r.message,
    attachments: (r.attachments || []).map((a) => ({
      filename: a.filename, content: a.content, encoding: 'base64', contentType: a.contentType,
    })),
  });
  return { status: 'sent', messageId: info.messageId };
}

// VmHWM: the peak resident set of this process alone (rusage's maxrss
// would include the parent's memory at fork).
function peakRssKiB() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function main() {
  const latencies = [];
  const rounds = mode === 'cold' ? 1 : count;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    if (mode === 'batch') {
      for (let j = 0; j < 10; j++) await handler(req);
    } else {
      await handler(req);
    }
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  transport.close();
  process.stdout.write(JSON.stringify({ latenciesMs: latencies, peakRssKiB: peakRssKiB() }) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
