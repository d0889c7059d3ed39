// Package eventbridge puts the status events of messages on an Amazon
// EventBridge bus with the AWS SDK for Go v2 (PutEvents): ten entries and
// 256 KiB a call at most, entries the service failed offered again with a
// short exponential backoff, every call bounded by its own deadline inside
// the caller's. The SDK is configured from the environment (package
// awsenv), so AWS_ENDPOINT_URL_EVENTBRIDGE points it at a local endpoint
// (dev/deveventbridge) with no code change; the configuration is loaded on
// first use, so a function that never publishes never pays for it.
//
// Delivery is at least once: a call whose answer is lost (a deadline, a
// dropped connection) is sent again, and EventBridge may have kept the
// first. Order is the caller's only within one call's entries; retried
// entries arrive after later ones. A consumer therefore tells events apart
// by an id inside Detail, never by arrival.
//
// It does not build event payloads, choose which transitions are
// published, or map failures to the domain's error codes: the caller does.
package eventbridge
