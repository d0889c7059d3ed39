package awsenv_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gmailsend/gmailsend/internal/awsenv"
)

func envOf(m map[string]string) awsenv.Lookup {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

// secretsEndpoint answers GetSecretValue and keeps the headers of each call.
type secretsEndpoint struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
}

func newSecretsEndpoint(t *testing.T) *secretsEndpoint {
	e := &secretsEndpoint{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.headers = append(e.headers, r.Header.Clone())
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(map[string]any{"Name": "gmailsend/x", "SecretString": "{}", "VersionId": "v1"})
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *secretsEndpoint) last(t *testing.T) http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.headers) == 0 {
		t.Fatal("the endpoint got no request")
	}
	return e.headers[len(e.headers)-1]
}

func getSecret(t *testing.T, cfg aws.Config) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("gmailsend/x")})
	if err != nil {
		t.Fatalf("GetSecretValue: %v", err)
	}
}

// TestStaticKeysSignTheRequest ensures the Lambda execution role's keys
// (environment variables) sign requests, in AWS_REGION, at the service's
// endpoint variable.
func TestStaticKeysSignTheRequest(t *testing.T) {
	ep := newSecretsEndpoint(t)
	cfg, err := awsenv.FromEnv(envOf(map[string]string{
		"AWS_REGION": "ap-northeast-2", "AWS_ACCESS_KEY_ID": "AKIDROLE", "AWS_SECRET_ACCESS_KEY": "s",
		"AWS_SESSION_TOKEN": "session-token", "AWS_ENDPOINT_URL_SECRETS_MANAGER": ep.URL,
		"AWS_ENDPOINT_URL": "http://127.0.0.1:1", // the service's own variable wins
	}), awsenv.SecretsManager, 3)
	if err != nil {
		t.Fatal(err)
	}
	getSecret(t, cfg)
	h := ep.last(t)
	if auth := h.Get("Authorization"); !strings.Contains(auth, "Credential=AKIDROLE/") || !strings.Contains(auth, "/ap-northeast-2/secretsmanager/") {
		t.Errorf("Authorization = %q, want the role's key and the region", auth)
	}
	if got := h.Get("X-Amz-Security-Token"); got != "session-token" {
		t.Errorf("X-Amz-Security-Token = %q, want the session token", got)
	}
	if cfg.RetryMaxAttempts != 3 {
		t.Errorf("RetryMaxAttempts = %d, want 3", cfg.RetryMaxAttempts)
	}
}

// TestContainerCredentials ensures a function given a credential endpoint
// instead of keys fetches them once, with its authorization token, and
// signs with what it got.
func TestContainerCredentials(t *testing.T) {
	ep := newSecretsEndpoint(t)
	var calls int
	var mu sync.Mutex
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		if r.Header.Get("Authorization") != "agent-token" {
			http.Error(w, `{"code":"AccessDenied","message":"bad token"}`, http.StatusForbidden)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"AccessKeyId": "AKIDCONTAINER", "SecretAccessKey": "s",
			"Token": "container-session", "Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	}))
	defer agent.Close()
	cfg, err := awsenv.FromEnv(envOf(map[string]string{
		"AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": ep.URL,
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": agent.URL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "agent-token",
	}), awsenv.SecretsManager, 3)
	if err != nil {
		t.Fatal(err)
	}
	getSecret(t, cfg)
	getSecret(t, cfg)
	if auth := ep.last(t).Get("Authorization"); !strings.Contains(auth, "Credential=AKIDCONTAINER/") {
		t.Errorf("Authorization = %q, want the container's key", auth)
	}
	if got := ep.last(t).Get("X-Amz-Security-Token"); got != "container-session" {
		t.Errorf("X-Amz-Security-Token = %q", got)
	}
	mu.Lock()
	if calls != 1 {
		t.Errorf("credential endpoint called %d times for two requests, want 1 (cached)", calls)
	}
	mu.Unlock()

	// EKS Pod Identity style: the token comes from a file, read when the
	// credentials are fetched.
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("agent-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = awsenv.FromEnv(envOf(map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": ep.URL,
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": agent.URL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
	}), awsenv.SecretsManager, 3)
	if err != nil {
		t.Fatal(err)
	}
	getSecret(t, cfg)
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Errorf("credential endpoint called %d times, want 2", calls)
	}
}

// TestIgnoreConfiguredEndpoints ensures AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
// drops the endpoint variables, as in the SDK, so the real endpoint is used.
func TestIgnoreConfiguredEndpoints(t *testing.T) {
	cfg, err := awsenv.FromEnv(envOf(map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
		"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}), awsenv.DynamoDB, 3)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseEndpoint != nil {
		t.Errorf("BaseEndpoint = %q, want none", *cfg.BaseEndpoint)
	}
	cfg, _ = awsenv.FromEnv(envOf(map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
		"AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9324"}), awsenv.DynamoDB, 3)
	if cfg.BaseEndpoint != nil {
		t.Errorf("another service's endpoint variable was used: %q", *cfg.BaseEndpoint)
	}
}

// TestRefusals ensures a missing region or credentials, and a container
// endpoint that would get the token in clear text, are refused up front
// with the variable to set.
func TestRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"no region":       {map[string]string{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, "AWS_REGION"},
		"no credentials":  {map[string]string{"AWS_REGION": "us-east-1"}, "AWS_ACCESS_KEY_ID"},
		"half a key pair": {map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a"}, "together"},
		"ignore flag not a boolean": {map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "yes"}, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"},
		"plain http outside": {map[string]string{"AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://203.0.113.9/creds"}, "loopback"},
		"not a URL":          {map[string]string{"AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "::"}, "not a URL"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := awsenv.FromEnv(envOf(tc.env), awsenv.SQS, 2)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
	for _, ok := range []string{"http://127.0.0.1:8080/c", "http://localhost/c", "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/c", "https://creds.example.com/c"} {
		if _, err := awsenv.FromEnv(envOf(map[string]string{"AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": ok}), awsenv.SQS, 2); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	if _, err := awsenv.FromEnv(envOf(map[string]string{"AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"}), awsenv.SQS, 2); err != nil {
		t.Errorf("the ECS relative URI was refused: %v", err)
	}
}

// TestKeySources ensures the key pair is read per variable from its name or
// the SDK's older one, half a pair gives way to a container endpoint, and
// the relative container URI wins over the full one, as in the SDK.
func TestKeySources(t *testing.T) {
	ep := newSecretsEndpoint(t)
	cfg, err := awsenv.FromEnv(envOf(map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": ep.URL,
		"AWS_ACCESS_KEY_ID": "AKIDMIXED", "AWS_SECRET_KEY": "old-name-secret"}), awsenv.SecretsManager, 1)
	if err != nil {
		t.Fatal(err)
	}
	getSecret(t, cfg)
	if auth := ep.last(t).Get("Authorization"); !strings.Contains(auth, "Credential=AKIDMIXED/") {
		t.Errorf("Authorization = %q, want the key from AWS_ACCESS_KEY_ID with AWS_SECRET_KEY", auth)
	}
	if _, err := awsenv.FromEnv(envOf(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/c"}), awsenv.SQS, 2); err != nil {
		t.Errorf("half a pair beside a container endpoint: %v, want the endpoint used", err)
	}
	// The relative URI wins: a full URI the check would refuse is not even looked at.
	if _, err := awsenv.FromEnv(envOf(map[string]string{"AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/c",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://203.0.113.9/c"}), awsenv.SQS, 2); err != nil {
		t.Errorf("the relative URI should win over the full one: %v", err)
	}
}
