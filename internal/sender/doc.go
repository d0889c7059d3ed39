// Package sender is the send use case: decode and validate a request,
// resolve its credential, apply the deployment's relay policy, build the
// message and deliver it. Event sources (API Gateway, SQS, SNS,
// EventBridge) all end here.
//
// It wires the domain (email), message building (message), credentials
// (credential) and delivery (through the Deliverer interface, implemented
// by package smtp) and owns the cross-cutting rules between them: evict a
// credential the server refused, refresh a rejected OAuth token once.
//
// Every change of a record's status it makes is written in settle.go,
// through gmailsend.Settle, which checks the transition rule and tells the
// status sink; a test holds the other files to it.
package sender
