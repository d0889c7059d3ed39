package awssecrets_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
)

// newClient is the real SDK client pointed at a local endpoint.
func newClient(url string, attempts int) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: attempts,
	})
}

// TestFetch ensures a secret string comes back through the real SDK and wire protocol.
func TestFetch(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	ep.Put("gmailsend/desk", `{"user":"a@gmail.com","password":"p"}`)
	got, err := awssecrets.NewWithAPI(newClient(ep.URL, 1)).FetchSecret(context.Background(), "gmailsend/desk")
	if err != nil || string(got) != `{"user":"a@gmail.com","password":"p"}` {
		t.Fatalf("%q %v", got, err)
	}
}

// TestErrorMapping ensures each Secrets Manager failure gets its documented code.
func TestErrorMapping(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	cases := []struct {
		name    string
		failure devsecrets.Failure
		code    gmailsend.Code
	}{
		{"missing", devsecrets.Failure{}, gmailsend.CodeCredentialNotFound},
		{"denied", devsecrets.Failure{Status: 400, Type: "AccessDeniedException"}, gmailsend.CodeForbidden},
		{"throttled", devsecrets.Failure{Status: 400, Type: "ThrottlingException"}, gmailsend.CodeSecretsUnavailable},
		{"internal", devsecrets.Failure{Status: 500, Type: "InternalServiceError"}, gmailsend.CodeSecretsUnavailable},
		{"decrypt", devsecrets.Failure{Status: 400, Type: "DecryptionFailure"}, gmailsend.CodeCredentialInvalid},
	}
	store := awssecrets.NewWithAPI(newClient(ep.URL, 1))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ep.Fail(c.name, c.failure)
			_, err := store.FetchSecret(context.Background(), c.name)
			if got := gmailsend.CodeOf(err); got != c.code {
				t.Fatalf("got %s (%v), want %s", got, err, c.code)
			}
			if c.code.Retryable() != (c.code == gmailsend.CodeSecretsUnavailable) {
				t.Fatalf("retry decision of %s", c.code)
			}
		})
	}
}

// TestRetriesBoundedByDeadline ensures the SDK's retries stop at the invocation deadline.
func TestRetriesBoundedByDeadline(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	ep.Fail("flaky", devsecrets.Failure{Status: 500, Type: "InternalServiceError"})
	ep.SetDelay(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := awssecrets.NewWithAPI(newClient(ep.URL, 10)).FetchSecret(ctx, "flaky")
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v", took)
	}
	if c := gmailsend.CodeOf(err); c != gmailsend.CodeTimeout && c != gmailsend.CodeSecretsUnavailable {
		t.Fatalf("got %v", err)
	}
}

// TestStandardEndpointVariable ensures AWS_ENDPOINT_URL_SECRETS_MANAGER redirects the lazily configured store.
func TestStandardEndpointVariable(t *testing.T) {
	ep := devsecrets.Start()
	defer ep.Close()
	ep.Put("gmailsend/x", "v")
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": ep.URL, "AWS_REGION": "ap-northeast-2",
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_CONFIG_FILE": dir + "/none", "AWS_SHARED_CREDENTIALS_FILE": dir + "/none", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	store := awssecrets.New()
	if ep.Calls("") != 0 {
		t.Fatal("New made a call")
	}
	got, err := store.FetchSecret(context.Background(), "gmailsend/x")
	if err != nil || string(got) != "v" || ep.Calls("gmailsend/x") != 1 {
		t.Fatalf("%q %v calls=%d", got, err, ep.Calls("gmailsend/x"))
	}
}
