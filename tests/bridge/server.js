// A minimal Bridge, configured like the runbook's production setup: origins from
// ALLOWED_ORIGINS + ADDITIONAL_ORIGINS (split on commas, compared exactly by `cors`),
// credentials on, requests without an Origin allowed. The allowlist is read at start-up only,
// exactly like the real Bridge, which is what lets the tests see drift.
//
// Usage: BRIDGE_ENV=/path/to/.env PORT=1234 node server.js   (listens on 127.0.0.1 only)
const path = require('path');
require('dotenv').config({ path: process.env.BRIDGE_ENV || path.join(__dirname, '.env'), quiet: true });
const express = require('express');
const cors = require('cors');

const split = (v) => (v ? v.split(',').filter(Boolean) : []);
const allowedOrigins = [...split(process.env.ALLOWED_ORIGINS), ...split(process.env.ADDITIONAL_ORIGINS)];

const app = express();
app.use(cors({
  origin: (origin, callback) => {
    if (!origin) return callback(null, true);
    if (allowedOrigins.includes(origin)) return callback(null, true);
    return callback(new Error('Not allowed by CORS'));
  },
  credentials: true,
  // The runbook's options; BRIDGE_METHODS, BRIDGE_HEADERS and BRIDGE_MAX_AGE narrow them, as a
  // Bridge that was configured by hand might (the probe's browser-judgement tests).
  methods: process.env.BRIDGE_METHODS ? split(process.env.BRIDGE_METHODS) : ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
  allowedHeaders: process.env.BRIDGE_HEADERS ? split(process.env.BRIDGE_HEADERS) : ['Content-Type', 'Authorization'],
  maxAge: process.env.BRIDGE_MAX_AGE ? Number(process.env.BRIDGE_MAX_AGE) : 86400,
}));
app.use(express.json());
app.post('/v1/chat', (req, res) => res.json({ reply: 'ok', echo: req.body && req.body.message }));
app.get('/health', (req, res) => res.json({ ok: true, origins: allowedOrigins.length }));
// Quiet error handler: a refused origin gets a 500 without CORS headers, as in production.
app.use((err, req, res, next) => res.status(500).type('text/plain').send(err.message));

// PORT=0 picks a free port; the line below tells the test which one.
const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`bridge listening on ${server.address().port}\n`);
});

