// Package lambdahandler is the AWS Lambda adapter: it recognises what
// invoked the function (API Gateway REST or HTTP API, SQS, SNS,
// EventBridge, or a direct invocation whose payload is the send request;
// also the Lambda destination record of a failed asynchronous event,
// redriven from the dead-letter queue), hands each send request to the
// sender after its source's size limit, and answers in the shape that
// source expects: an API Gateway response, an SQS batch response with
// partial failures, or a function error for asynchronous sources so
// Lambda's retries and failure destination apply. What each error code
// means to those answers, its HTTP status and what a queue does with a
// record that failed with it, is one table (codes.go).
//
// It also writes the one structured log line per send. Log lines never
// carry passwords, tokens or message content.
package lambdahandler
