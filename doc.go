// Package gmailsend is the domain of gmailsend: what a caller asks for and
// what the service promises, with no AWS, Lambda, SMTP or HTTP code in it.
//
//   - The send request as callers write it (Request), its validation into
//     a Mail ready to build, and the one error type (Error) with stable
//     codes every other package reports through. What a code becomes for a
//     transport (an HTTP status, a queue's redelivery) is decided by that
//     transport's adapter (internal/lambdahandler's codes.go), not here.
//   - The message record kept for every durable send (Record), its
//     statuses, idempotency keys and request fingerprints, the quota rule
//     and suppression keys.
//   - The transition rules between statuses (CanMove, BounceStatus) and
//     Settle, the one path every status change takes to its write and then
//     to the StatusSink.
//   - The small interfaces (ports) the use cases in internal/sender and
//     internal/bounce need from the outside: records, queue, schedules,
//     quota buckets, suppressions. The adapters named after their
//     technology (internal/dynamostore, internal/sqsqueue, …) implement them.
//
// A record never holds a password, token, body, subject or address: the
// account is the stored credential's name or an opaque hash of the address,
// and the server's reply is stored with address-like words redacted.
package gmailsend
