// Package benchmark measures gmailsend side by side with the code people
// would otherwise write — nodemailer (pooled and unpooled) in Node and
// smtplib in Python — against two SMTP servers: the development server,
// which delays every reply by a simulated round-trip time and counts round
// trips and connections, and Postfix, a real MTA (servers.go). Every
// contender runs as its own process so process start, CPU time and peak
// RSS are measured the same way; gmailsend runs as the real bootstrap
// binary under the local Lambda Runtime API. From the measurements it
// prices 1,000 sends on AWS (cost.go) and sweeps the function's memory
// size with Lambda's CPU share simulated (memory.go).
package benchmark
