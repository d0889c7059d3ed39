// Package webhooks is the use cases of webhook endpoints: the registry an
// API key manages (POST/GET/DELETE /webhooks…, rotate, test), the fan-out's
// view of who subscribes to what (statusevents.Endpoints), and the
// deliverer that the webhook queue's consumer runs for each queued
// delivery.
//
// Endpoints are scoped to the API key that registered them exactly like
// message records: another key's endpoint is not found. A suppression
// list belongs to no key: an endpoint follows one only by naming its
// stored credential, which the key must be allowed to use
// (credentials.go). Every change of an
// endpoint (created, rotated, disabled, a delivery's failure recorded,
// deleted) goes through commit (change.go), which applies the rules; the
// storage adapter only writes what it is given.
//
// It deliberately does not speak HTTP to receivers, sign, or guard
// addresses itself (package standardwebhooks does), nor know DynamoDB or
// SQS (the ports below; dynamostore and sqsqueue implement them).
package webhooks
