// Package sqsqueue puts accepted send requests on the send queue with the
// AWS SDK for Go v2 (SendMessageBatch, ten entries a call, failed entries
// retried). The SDK is configured from the environment (package awsenv), so
// AWS_ENDPOINT_URL_SQS points it at a local endpoint with no code change;
// the configuration is loaded on first use, so a function that never
// queues never pays for it.
//
// It does not consume the queue: Lambda's event source mapping does, and
// the handler (internal/lambdahandler) answers those events.
package sqsqueue
