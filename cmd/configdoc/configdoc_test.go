package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigDocIsCurrent fails when docs/config.md is not what the
// generator writes from the config package.
func TestConfigDocIsCurrent(t *testing.T) {
	t.Parallel()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "docs", "config.md"))
	if err != nil {
		t.Fatalf("%v; create it with `%s`", err, Command)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/config.md is stale; regenerate it from the module root with\n\t%s", Command)
	}
}

// TestEveryConfigKeyIsDocumented fails when a key reachable from
// config.Config has no doc comment on its field.
func TestEveryConfigKeyIsDocumented(t *testing.T) {
	t.Parallel()
	keys := configKeys(t)
	if len(keys) < 100 {
		t.Fatalf("found %d keys; the walk over config.Config is broken", len(keys))
	}
	if missing := Undocumented(keys); len(missing) > 0 {
		t.Errorf("%d configuration keys have no doc comment on their field (it is their description in docs/config.md):\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
}

// TestEveryConfigKeySaysItsDefault fails when a key's doc comment says
// neither what its absence means ("Absent: …") nor that it is required
// ("Required." or "Required in a recovery stack."): docs/config.md would
// show "—" as its default.
func TestEveryConfigKeySaysItsDefault(t *testing.T) {
	t.Parallel()
	keys := configKeys(t)
	if missing := WithoutDefault(keys); len(missing) > 0 {
		t.Errorf("%d configuration keys do not say their default: add an \"Absent: …\" sentence (or \"Required.\") to the field's comment:\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
}

// The default column: an "Absent:" sentence, an unconditional or a
// conditional "Required", or nothing.
func TestDefaultSentences(t *testing.T) {
	t.Parallel()
	for doc, want := range map[string]string{
		"AZCount is how many zones: 2..6. Absent: 3.":                  "3",
		"Domain is the apex DNS name. Required.":                       "required",
		"PrimaryRegion must differ. Required in a recovery stack.":     "required in a recovery stack",
		"Log group. Required with baseline organization (the alarms).": "required with baseline organization",
		"Standby sizes the stores.":                                    "",
	} {
		if got := (Key{Doc: doc}).Default(); got != want {
			t.Errorf("Default(%q) = %q, want %q", doc, got, want)
		}
	}
}

// configKeys are the keys reachable from config.Config, read from the
// module's config package.
func configKeys(t *testing.T) []Key {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := Keys(filepath.Join(root, "config"))
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
