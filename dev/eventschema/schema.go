// Package eventschema checks status events against the JSON Schemas in
// api/events (one per event type, sharing event.schema.json), for the
// tests that hold every emitted event to the published contract.
package eventschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schemas holds one compiled schema per event type.
type Schemas struct {
	byType map[string]*jsonschema.Schema
}

// Load compiles every schema in dir (api/events of the module).
func Load(dir string) (*Schemas, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("eventschema: no schemas in %s (%v)", dir, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const base = "https://gmailsend.dev/api/events/"
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("eventschema: %s: %w", f, err)
		}
		if err := c.AddResource(base+filepath.Base(f), doc); err != nil {
			return nil, err
		}
	}
	s := &Schemas{byType: map[string]*jsonschema.Schema{}}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".schema.json")
		if name == "event" {
			continue
		}
		sch, err := c.Compile(base + filepath.Base(f))
		if err != nil {
			return nil, fmt.Errorf("eventschema: %s: %w", f, err)
		}
		s.byType[name] = sch
	}
	return s, nil
}

// Types lists the event types that have a schema.
func (s *Schemas) Types() []string {
	out := make([]string, 0, len(s.byType))
	for t := range s.byType {
		out = append(out, t)
	}
	return out
}

// Validate checks one event (its JSON) against its type's schema.
func (s *Schemas) Validate(event []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(event, &head); err != nil {
		return fmt.Errorf("eventschema: %w", err)
	}
	sch, ok := s.byType[head.Type]
	if !ok {
		return fmt.Errorf("eventschema: no schema for type %q", head.Type)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(event))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
