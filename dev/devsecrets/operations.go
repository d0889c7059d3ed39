package devsecrets

import (
	"encoding/json"
	"net/http"
)

// The four operations, each answering with the fields the SDK reads and the
// error types AWS documents for them.

func (s *Server) getSecretValue(w http.ResponseWriter, body []byte) {
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
	s.mu.Unlock()
	if f, failing := s.failure(in.SecretID); failing {
		writeError(w, f.Status, f.Type, "injected failure")
		return
	}
	s.mu.Lock()
	sec := s.lookup(in.SecretID)
	var out map[string]any
	if sec != nil {
		out = map[string]any{
			"ARN": sec.ARN, "Name": sec.Name, "SecretString": sec.Value, "VersionId": sec.VersionID,
			"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": float64(sec.Changed.Unix()),
		}
	}
	s.mu.Unlock()
	switch {
	case sec == nil:
		writeError(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	case in.VersionStage != "" && in.VersionStage != "AWSCURRENT":
		writeError(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: "+in.VersionStage)
	default:
		writeJSON(w, out)
	}
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func (s *Server) createSecret(w http.ResponseWriter, body []byte) {
	var in struct {
		Name         string `json:"Name"`
		SecretString string `json:"SecretString"`
		KMSKeyID     string `json:"KmsKeyId"`
		Description  string `json:"Description"`
		Tags         []tag  `json:"Tags"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
		writeError(w, 400, "InvalidParameterException", "Name is required")
		return
	}
	if f, failing := s.failure(in.Name); failing {
		writeError(w, f.Status, f.Type, "injected failure")
		return
	}
	tags := map[string]string{}
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.secrets[in.Name]; exists {
		writeError(w, 400, "ResourceExistsException", "The operation failed because the secret "+in.Name+" already exists.")
		return
	}
	sec := s.create(in.Name, in.SecretString, in.KMSKeyID, in.Description, tags)
	writeJSON(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.VersionID})
}

func (s *Server) putSecretValue(w http.ResponseWriter, body []byte) {
	var in struct {
		SecretID     string `json:"SecretId"`
		SecretString string `json:"SecretString"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		in.SecretID = ""
	}
	sec := s.existing(w, in.SecretID)
	if sec == nil {
		return
	}
	defer s.mu.Unlock()
	s.writeValue(sec, in.SecretString)
	writeJSON(w, map[string]any{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.VersionID, "VersionStages": []string{"AWSCURRENT"}})
}

func (s *Server) describeSecret(w http.ResponseWriter, body []byte) {
	var in struct {
		SecretID string `json:"SecretId"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		in.SecretID = ""
	}
	sec := s.existing(w, in.SecretID)
	if sec == nil {
		return
	}
	defer s.mu.Unlock()
	tags := []tag{}
	for k, v := range sec.Tags {
		tags = append(tags, tag{k, v})
	}
	out := map[string]any{
		"ARN": sec.ARN, "Name": sec.Name, "Tags": tags,
		"CreatedDate": float64(sec.Created.Unix()), "LastChangedDate": float64(sec.Changed.Unix()),
		"VersionIdsToStages": map[string][]string{sec.VersionID: {"AWSCURRENT"}},
	}
	if sec.Description != "" {
		out["Description"] = sec.Description
	}
	if sec.KMSKeyID != "" {
		out["KmsKeyId"] = sec.KMSKeyID
	}
	writeJSON(w, out)
}

// existing answers an operation's refusals about its SecretId (missing, an
// injected failure, no such secret) and otherwise returns the secret with
// mu held: the caller unlocks.
func (s *Server) existing(w http.ResponseWriter, id string) *Secret {
	if id == "" {
		writeError(w, 400, "InvalidParameterException", "SecretId is required")
		return nil
	}
	if f, failing := s.failure(id); failing {
		writeError(w, f.Status, f.Type, "injected failure")
		return nil
	}
	s.mu.Lock()
	sec := s.lookup(id)
	if sec == nil {
		s.mu.Unlock()
		writeError(w, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
	return sec
}
