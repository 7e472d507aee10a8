package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// attackPage is a web page on another origin that tries to use the lab
// from the student's browser, and reports each attempt to its own server.
const attackPage = `<!doctype html><title>elsewhere</title><script>
const lab = LAB;
async function report(name, result) {
  await fetch("/report", {method: "POST", body: JSON.stringify({name: name, result: String(result)})});
}
async function attempt(name, f) {
  try { await report(name, "ok " + await f()); } catch (e) { await report(name, "blocked " + e); }
}
(async () => {
  await attempt("read", async () => (await fetch(lab + "/cis-examples-output/secret.txt")).text());
  await attempt("write", async () => (await fetch(lab + "/cis-examples-output/evil.txt",
    {method: "PUT", headers: {"Content-Type": "text/plain"}, body: "written by a web page"})).status);
  await attempt("delete", async () => (await fetch(lab + "/cis-examples-output/secret.txt", {method: "DELETE"})).status);
  const form = new FormData();
  form.append("key", "form.txt");
  form.append("file", new Blob(["posted by a web page"]), "form.txt");
  await attempt("form", async () => (await fetch(lab + "/cis-examples-output", {method: "POST", mode: "no-cors", body: form})).type);
  await report("done", "");
})();
</script>`

// chromium finds a Chromium to run headless; the test is skipped (and
// says why) only when none is installed. scripts/test.sh installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("no Chromium installed (apt-get install -y chromium; scripts/test.sh installs it): the browser test of CORS cannot run")
	return ""
}

// visit opens url in a fresh headless Chromium and returns what the page
// reported, once it says it is done.
func visit(t *testing.T, browser, url string, reports chan [2]string) map[string]string {
	t.Helper()
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	got := map[string]string{}
	deadline := time.After(90 * time.Second) // a failure bound
	for {
		select {
		case r := <-reports:
			if r[0] == "done" {
				return got
			}
			got[r[0]] = r[1]
		case <-deadline:
			t.Fatalf("the page did not finish; it reported %v; Chromium said:\n%s", got, out.String())
		}
	}
}

// TestBrowserOnAnotherOrigin: a page served from another origin, open in a
// real browser, cannot read, write or delete the lab's objects, nor upload
// with a form; once the bucket's CORS configuration allows its origin (GET
// and PUT), it can read and write, and still not delete.
func TestBrowserOnAnotherOrigin(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	lab := labtest.Start(t, "")
	lab.Put(t, outBucket, "secret.txt", []byte("top secret"), "text/plain")
	reports := make(chan [2]string, 16)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/report" {
			var rep struct{ Name, Result string }
			json.NewDecoder(r.Body).Decode(&rep)
			reports <- [2]string{rep.Name, rep.Result}
			return
		}
		w.Header().Set("Content-Type", "text/html")
		endpoint, _ := json.Marshal(lab.Endpoint)
		w.Write([]byte(strings.Replace(attackPage, "LAB", string(endpoint), 1)))
	}))
	defer page.Close()

	got := visit(t, browser, page.URL+"/?round=1", reports)
	for _, name := range []string{"read", "write", "delete"} {
		if !strings.HasPrefix(got[name], "blocked") {
			t.Errorf("without a CORS configuration the page's %s was not blocked: %q", name, got[name])
		}
	}
	if _, body := lab.Get(t, outBucket, "secret.txt"); string(body) != "top secret" {
		t.Errorf("secret.txt is now %q", body)
	}
	for _, key := range []string{"evil.txt", "form.txt"} {
		if _, err := lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(outBucket), Key: aws.String(key)}); err == nil {
			t.Errorf("the page stored %s", key)
		}
	}

	_, err := lab.Client.PutBucketCors(context.Background(), &s3.PutBucketCorsInput{Bucket: aws.String(outBucket),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
			AllowedOrigins: []string{page.URL}, AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"*"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got = visit(t, browser, page.URL+"/?round=2", reports)
	if got["read"] != "ok top secret" || got["write"] != "ok 200" || !strings.HasPrefix(got["delete"], "blocked") {
		t.Errorf("with its origin allowed GET and PUT, the page reported %v", got)
	}
	if _, body := lab.Get(t, outBucket, "evil.txt"); string(body) != "written by a web page" {
		t.Errorf("evil.txt is %q", body)
	}
}
