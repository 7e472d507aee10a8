package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEShowsTheExerciseFiles: the files the README's "The exercise
// with the aws CLI alone" shows are the ones the tests run the exercise
// with, byte for byte.
func TestREADMEShowsTheExerciseFiles(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## The exercise with the aws CLI alone\n")
	if !ok {
		t.Fatal("README.md has no section \"The exercise with the aws CLI alone\"")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, name := range []string{"trust.json", "policy.json", "notification.json", "event.json"} {
		want, err := os.ReadFile(filepath.Join("../../emulator/testdata/exercise", name))
		if err != nil {
			t.Fatal(err)
		}
		_, after, ok := strings.Cut(section, "\n`"+name+"` ")
		_, block, ok2 := strings.Cut(after, "```json\n")
		block, _, ok3 := strings.Cut(block, "```")
		if !ok || !ok2 || !ok3 {
			t.Errorf("the section does not show %s in a json block", name)
			continue
		}
		if block != string(want) {
			t.Errorf("the README's %s:\n%s\nthe tests':\n%s", name, block, want)
		}
	}
	for _, cmd := range []string{"lambdalab serve --lab empty", "aws lambda wait function-active-v2", "aws lambda add-permission",
		"aws logs tail /aws/lambda/cis-exercise-demo", "aws logs filter-log-events --log-group-name /aws/lambda/cis-exercise-demo",
		"--zip-file fileb://pillow.zip", "--payload fileb://event.json", "--endpoint-url"} {
		if !strings.Contains(section, cmd) {
			t.Errorf("the section lacks %q", cmd)
		}
	}
}
