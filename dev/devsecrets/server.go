// Package devsecrets is a local AWS Secrets Manager endpoint speaking the
// service's JSON 1.1 wire protocol (X-Amz-Target: secretsmanager.<Operation>,
// SigV4-signed requests, "__type" error shapes), so the real AWS SDK can be
// pointed at it with AWS_ENDPOINT_URL_SECRETS_MANAGER or BaseEndpoint. It
// serves GetSecretValue for the function and CreateSecret, PutSecretValue
// and DescribeSecret for the gmailsend setup command, answering missing and
// duplicate secrets as AWS does (ResourceNotFoundException,
// ResourceExistsException). It counts reads and can be told to fail, for
// tests and `make run`. It keeps no version history beyond AWSCURRENT and
// does not check IAM.
package devsecrets

import (
	"crypto/rand"
	"encoding/hex"
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

// Region and Account are where the endpoint pretends to run (in ARNs).
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// Server is a running endpoint.
type Server struct {
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	secrets map[string]*Secret // by name
	calls   map[string]int
	fail    map[string]Failure
	delay   time.Duration
}

// Secret is what the endpoint holds for one secret.
type Secret struct {
	Name, ARN   string
	Value       string
	KMSKeyID    string // "" for the account's default key
	Description string
	Tags        map[string]string
	VersionID   string
	Versions    int // values written: 1 after CreateSecret, +1 per PutSecretValue
	Created     time.Time
	Changed     time.Time
}

// Failure is an error the endpoint answers with: an HTTP status and an
// AWS error type, e.g. {400, "ResourceNotFoundException"}.
type Failure struct {
	Status int
	Type   string
}

// Start serves on a loopback port until Close.
func Start() *Server {
	s := &Server{secrets: map[string]*Secret{}, calls: map[string]int{}, fail: map[string]Failure{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Client is the real AWS SDK client pointed at this endpoint, with static
// test credentials and no retries (tests count calls).
func (s *Server) Client() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-key", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	})
}

// Close stops the endpoint.
func (s *Server) Close() { s.srv.Close() }

// Put stores a secret string under name, creating the secret if needed.
func (s *Server) Put(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec := s.secrets[name]; sec != nil {
		s.writeValue(sec, value)
		return
	}
	s.create(name, value, "", "", nil)
}

// Get returns a copy of the secret called name.
func (s *Server) Get(name string) (Secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		return Secret{}, false
	}
	c := *sec
	c.Tags = map[string]string{}
	for k, v := range sec.Tags {
		c.Tags[k] = v
	}
	return c, true
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

// operations are the targets served; each decodes its own input.
var operations = map[string]func(*Server, http.ResponseWriter, []byte){
	"secretsmanager.GetSecretValue": (*Server).getSecretValue,
	"secretsmanager.CreateSecret":   (*Server).createSecret,
	"secretsmanager.PutSecretValue": (*Server).putSecretValue,
	"secretsmanager.DescribeSecret": (*Server).describeSecret,
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := operations[r.Header.Get("X-Amz-Target")]
	if r.Method != http.MethodPost || !ok {
		writeError(w, 400, "UnknownOperationException", "served: GetSecretValue, CreateSecret, PutSecretValue, DescribeSecret")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		writeError(w, 400, "MissingAuthenticationTokenException", "request is not signed")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, 400, "InvalidRequestException", "cannot read the request")
		return
	}
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	time.Sleep(delay)
	op(s, w, body)
}

// failure is the injected failure for a secret named by name or ARN.
func (s *Server) failure(id string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.fail[id]; ok {
		return f, true
	}
	if sec := s.lookup(id); sec != nil {
		f, ok := s.fail[sec.Name]
		return f, ok
	}
	return Failure{}, false
}

// lookup finds a secret by name or full ARN, as SecretId accepts both.
// Callers hold mu.
func (s *Server) lookup(id string) *Secret {
	if sec, ok := s.secrets[id]; ok {
		return sec
	}
	for _, sec := range s.secrets {
		if sec.ARN == id {
			return sec
		}
	}
	return nil
}

// create adds a secret with AWS's ARN shape: the name and six random
// characters. Callers hold mu.
func (s *Server) create(name, value, kmsKeyID, description string, tags map[string]string) *Secret {
	now := time.Now()
	sec := &Secret{
		Name: name, ARN: "arn:aws:secretsmanager:" + Region + ":" + Account + ":secret:" + name + "-" + randomHex(3),
		KMSKeyID: kmsKeyID, Description: description, Tags: tags, Created: now,
	}
	if sec.Tags == nil {
		sec.Tags = map[string]string{}
	}
	s.secrets[name] = sec
	s.writeValue(sec, value)
	return sec
}

// writeValue makes value the AWSCURRENT version. Callers hold mu.
func (s *Server) writeValue(sec *Secret, value string) {
	sec.Value = value
	sec.Versions++
	sec.VersionID = randomHex(16)
	sec.Changed = time.Now()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
