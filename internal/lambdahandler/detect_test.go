package lambdahandler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestDetectUpstreamEnvelopes ensures every real-shaped upstream event shipped in aws-lambda-go is recognised.
func TestDetectUpstreamEnvelopes(t *testing.T) {
	want := map[string]source{
		"apigw-request.json":                      sourceAPIGatewayV1,
		"apigw-restapi-openapi-request.json":      sourceAPIGatewayV1,
		"apigw-v2-request-iam.json":               sourceAPIGatewayV2,
		"apigw-v2-request-jwt-authorizer.json":    sourceAPIGatewayV2,
		"apigw-v2-request-no-authorizer.json":     sourceAPIGatewayV2,
		"apigw-v2-request-lambda-authorizer.json": sourceAPIGatewayV2,
		"sns-event.json":                          sourceSNS,
		"sqs-event.json":                          sourceSQS,
	}
	checkDetected(t, fixture.UpstreamDir(t), want)
}

// TestDetectSAMGenerateEvent ensures the templates behind `sam local generate-event` are recognised (when SAM_GENERATE_EVENTS names their directory).
func TestDetectSAMGenerateEvent(t *testing.T) {
	dir := os.Getenv("SAM_GENERATE_EVENTS")
	if dir == "" {
		t.Skip("sam generate-event templates skipped: set SAM_GENERATE_EVENTS to a directory of them (aws-sam-cli samcli/lib/generated_sample_events/events) to enable")
	}
	checkDetected(t, dir, map[string]source{
		"apigateway-AwsProxy.json":       sourceAPIGatewayV1,
		"apigateway-HttpApi.json":        sourceAPIGatewayV2,
		"sns-Sns.json":                   sourceSNS,
		"sqs-Sqs.json":                   sourceSQS,
		"cloudwatch-ScheduledEvent.json": sourceEventBridge,
	})
}

func checkDetected(t *testing.T, dir string, want map[string]source) {
	t.Helper()
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
