package s3

import "testing"

// TestUploadIDsStartWithALetterOrDigit: an upload id the aws CLI can be
// given (`--upload-id ID`): never starting with - (taken for an option,
// which made TestMultipartSurvivesKill9 fail one run in 64) or _, and
// never the same twice.
func TestUploadIDsStartWithALetterOrDigit(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := string(newUploadID())
		if id[0] == '-' || id[0] == '_' || seen[id] {
			t.Fatalf("upload id %q", id)
		}
		seen[id] = true
	}
}
