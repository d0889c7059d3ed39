// Package benchmark measures gmailsend side by side with the code people
// would otherwise write — nodemailer (pooled and unpooled) in Node and
// smtplib in Python — against the same development SMTP server, which
// delays every reply by a simulated round-trip time and counts round trips
// and connections. Every contender runs as its own process so process
// start, CPU time and peak RSS are measured the same way; gmailsend runs as
// the real bootstrap binary under the local Lambda Runtime API.
package benchmark
