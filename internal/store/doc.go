// Package store is the domain of durable sends: the message record kept
// for every accepted send, its statuses, idempotency keys and request
// fingerprints, and the small interfaces the send use case needs from a
// table (internal/dynamostore implements them on DynamoDB). The
// transition rules between statuses (CanMove, BounceStatus) are here, and
// Settle, the one path every status change takes to its write and then to
// the StatusSink.
//
// It imports no AWS code. A record never holds a password, token, body,
// subject or address: the account is the stored credential's name or an
// opaque hash of the address, and the server's reply is stored with
// address-like words redacted.
package store
