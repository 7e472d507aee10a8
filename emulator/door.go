package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/lambdalab/lambdalab/emulator/s3"
)

// The one door: every service the lab speaks answers on its one endpoint,
// told apart by the service named in the request's SigV4 credential scope
// (Credential=KEY/DATE/REGION/SERVICE/aws4_request), as AWS tells its
// endpoints apart by host name. The console and scenarios come in through
// the same door (the in-memory transport), as clients like any other.

// Services are the services the lab speaks, by their SigV4 names.
var Services = []string{"s3", "lambda", "logs", "iam", "sts"}

// door routes a request to its service.
type door struct {
	services map[string]http.Handler
}

func (d *door) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	svc := signingService(r)
	if svc == "" {
		// Unsigned: S3 takes anonymous requests (a browser, curl); a request
		// shaped for another service is refused rather than misread as S3.
		if other := unsignedService(r); other != "" {
			refuse(w, http.StatusForbidden, "MissingAuthenticationToken", fmt.Sprintf(
				"this looks like a %s request, but it is not signed: lambdalab tells its services (%s) apart by the service in the SigV4 signature; sign it (any credentials work) or use an AWS SDK or the aws CLI",
				other, strings.Join(Services, ", ")))
			return
		}
		svc = "s3"
	}
	h, ok := d.services[svc]
	if !ok {
		refuse(w, http.StatusBadRequest, "UnknownServiceException", fmt.Sprintf(
			"lambdalab does not speak %q: its endpoint serves %s (the service is read from the SigV4 credential scope)",
			svc, strings.Join(Services, ", ")))
		return
	}
	h.ServeHTTP(w, r)
}

// signingService is the service a request is signed for: SigV4's
// credential scope, in the Authorization header or a presigned URL. SigV2
// exists only for S3.
func signingService(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	cred := ""
	switch {
	case strings.HasPrefix(auth, "AWS "):
		return "s3"
	case auth != "":
		_, rest, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return "s3" // malformed: S3 says how
		}
		cred, _, _ = strings.Cut(rest, ",")
	default:
		q := r.URL.Query()
		if q.Has("AWSAccessKeyId") {
			return "s3"
		}
		cred = q.Get("X-Amz-Credential")
	}
	if cred == "" {
		return ""
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return "s3" // malformed: S3 says how
	}
	return parts[3]
}

// unsignedService recognises an unsigned request shaped for a service
// other than S3 ("" for anything S3 could take).
func unsignedService(r *http.Request) string {
	for _, prefix := range []string{"/2015-03-31/", "/2018-10-31/", "/2019-09-25/", "/2017-10-31/", "/2019-09-30/", "/2016-08-19/", "/2024-08-31/"} {
		if strings.HasPrefix(r.URL.Path, prefix) {
			return "Lambda"
		}
	}
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "Logs_") {
		return "CloudWatch Logs"
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return "IAM or STS (Query protocol)"
	}
	return ""
}

// refuse answers a request the door cannot route, in the JSON shape the
// newer AWS protocols use (the SDKs show its type and message).
func refuse(w http.ResponseWriter, status int, errType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", errType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": errType, "message": msg})
}

// callerKey names who signed a request (s3.AccessKeyID), or "" for none.
func callerKey(r *http.Request) string { return s3.AccessKeyID(r) }
