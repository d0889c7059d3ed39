package lambdahandler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/fixture"
)

// TestDetectUpstreamEnvelopes ensures every real-shaped upstream event, and every sam generate-event template, is recognised.
func TestDetectUpstreamEnvelopes(t *testing.T) {
	dir := filepath.Join(fixture.SharedDir(t), "events-upstream")
	want := map[string]source{
		"apigw-request.json":                                sourceAPIGatewayV1,
		"apigw-restapi-openapi-request.json":                sourceAPIGatewayV1,
		"apigw-v2-request-iam.json":                         sourceAPIGatewayV2,
		"apigw-v2-request-jwt-authorizer.json":              sourceAPIGatewayV2,
		"apigw-v2-request-no-authorizer.json":               sourceAPIGatewayV2,
		"sns-event.json":                                    sourceSNS,
		"sqs-event.json":                                    sourceSQS,
		"sam-generate-event/apigateway-AwsProxy.json":       sourceAPIGatewayV1,
		"sam-generate-event/apigateway-HttpApi.json":        sourceAPIGatewayV2,
		"sam-generate-event/sns-Sns.json":                   sourceSNS,
		"sam-generate-event/sqs-Sqs.json":                   sourceSQS,
		"sam-generate-event/cloudwatch-ScheduledEvent.json": sourceEventBridge,
	}
	for file, src := range want {
		raw, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if got := detect(raw); got != src {
			t.Errorf("%s detected as %s, want %s", file, got, src)
		}
	}
}

// TestDetectIsCaseSensitive ensures look-alike keys do not change the source, and a send request is a direct invocation.
func TestDetectIsCaseSensitive(t *testing.T) {
	cases := map[string]source{
		`{"Records":[{"eventSource":"aws:sqs","body":"{}"}]}`:          sourceSQS,
		`{"Records":[{"EventSource":"aws:sns","Sns":{}}]}`:             sourceSNS,
		`{"Records":[{"EventSource":"aws:sqs","body":"{}"}]}`:          sourceDirect, // SQS never capitalises the key
		`{"records":[{"eventSource":"aws:sqs"}]}`:                      sourceDirect,
		`{"user":"a@gmail.com","toEmail":"b@example.com"}`:             sourceDirect,
		`{"httpmethod":"POST","requestcontext":{},"resource":"/send"}`: sourceDirect,
		`not json`: sourceDirect,
		`[]`:       sourceDirect,
	}
	for payload, want := range cases {
		if got := detect([]byte(payload)); got != want {
			t.Errorf("%s: %s, want %s", strings.TrimSpace(payload), got, want)
		}
	}
}
