// Package devsecrets is a local AWS Secrets Manager endpoint speaking the
// service's JSON 1.1 wire protocol (X-Amz-Target:
// secretsmanager.GetSecretValue, "__type" error shapes), so the real AWS
// SDK can be pointed at it with AWS_ENDPOINT_URL_SECRETS_MANAGER or
// BaseEndpoint. It serves GetSecretValue only, counts calls and can be told
// to fail, for tests and `make run`.
package devsecrets

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Server is a running endpoint.
type Server struct {
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	secrets map[string]string
	calls   map[string]int
	fail    map[string]Failure
	delay   time.Duration
}

// Failure is an error the endpoint answers with: an HTTP status and an
// AWS error type, e.g. {400, "ResourceNotFoundException"}.
type Failure struct {
	Status int
	Type   string
}

// Start serves on a loopback port until Close.
func Start() *Server {
	s := &Server{secrets: map[string]string{}, calls: map[string]int{}, fail: map[string]Failure{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Client is the real AWS SDK client pointed at this endpoint, with static
// test credentials and no retries (tests count calls).
func (s *Server) Client() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-key", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	})
}

// Close stops the endpoint.
func (s *Server) Close() { s.srv.Close() }

// Put stores a secret string under name.
func (s *Server) Put(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[name] = value
}

// Fail makes every request for name answer with f (zero Failure clears).
func (s *Server) Fail(name string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Status == 0 {
		delete(s.fail, name)
		return
	}
	s.fail[name] = f
}

// SetDelay delays every answer, to let concurrent callers pile up.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Calls is the number of GetSecretValue requests for name ("" for all).
func (s *Server) Calls(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "" {
		return s.calls[name]
	}
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
		writeError(w, 400, "UnknownOperationException", "only GetSecretValue is served")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		writeError(w, 400, "MissingAuthenticationTokenException", "request is not signed")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in struct {
		SecretID     string `json:"SecretId"`
		VersionStage string `json:"VersionStage"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.SecretID == "" {
		writeError(w, 400, "InvalidParameterException", "SecretId is required")
		return
	}
	s.mu.Lock()
	s.calls[in.SecretID]++
	value, ok := s.secrets[in.SecretID]
	f, failing := s.fail[in.SecretID]
	delay := s.delay
	s.mu.Unlock()
	time.Sleep(delay)
	switch {
	case failing:
		writeError(w, f.Status, f.Type, "injected failure")
	case !ok:
		writeError(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	case in.VersionStage != "" && in.VersionStage != "AWSCURRENT":
		writeError(w, 400, "ResourceNotFoundException", "no such version stage")
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"ARN":           "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + in.SecretID + "-AbCdEf",
			"Name":          in.SecretID,
			"SecretString":  value,
			"VersionId":     "00000000-0000-0000-0000-000000000001",
			"VersionStages": []string{"AWSCURRENT"},
			"CreatedDate":   1.7e9,
		})
	}
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
