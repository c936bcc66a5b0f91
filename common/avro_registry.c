/* avro_registry: schema directories and Confluent registries. */
#include "avro_registry.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avro_decode.h"
#include "file.h"
#include "json.h"
#include "num.h"
#include "secret.h"
#include "xalloc.h"

#define MAX_RESPONSE ((size_t)16 << 20)

struct cached {
	int64_t id;
	struct avro_schema *s;
};

struct avro_registry {
	char *base; /* directory, or URL without a trailing '/' */
	int url;
	char *user, *password; /* basic auth (URL only), or NULL */
	CURL *curl;
	struct cached *cache;
	size_t ncache, capcache;
	int scanned; /* every id of a directory is in the cache */
};

int avro_registry_is_url(const struct avro_registry *r)
{
	return r->url;
}

int avro_registry_open(struct avro_registry **out, const char *spec,
		       char *err, size_t errlen)
{
	struct avro_registry *r;
	size_t n = strlen(spec);

	if (n == 0) {
		snprintf(err, errlen, "empty registry");
		return AVRO_REG_EUSAGE;
	}
	r = xcalloc(1, sizeof(*r));
	r->url = strncmp(spec, "http://", 7) == 0 ||
		 strncmp(spec, "https://", 8) == 0;
	if (r->url) {
		const char *host = strstr(spec, "://") + 3;

		/* The URL is shown in messages and lies in argv, which any
		 * user of the machine can read: never a place for secrets. */
		if (memchr(host, '@', strcspn(host, "/?#"))) {
			snprintf(err, errlen, "credentials in the URL are not "
					      "accepted: use --registry-user with "
					      "$SW_REGISTRY_PASSWORD or "
					      "--registry-password-file");
			free(r);
			return AVRO_REG_EUSAGE;
		}
	}
	while (n > 1 && spec[n - 1] == '/')
		n--;
	r->base = xstrndup(spec, n);
	*out = r;
	return 0;
}

int avro_registry_auth(struct avro_registry *r, const char *user,
		       const char *password_file, char *err, size_t errlen)
{
	char why[512];

	if (!user) {
		if (!password_file)
			return 0;
		snprintf(err, errlen, "--registry-password-file needs "
				      "--registry-user");
		return AVRO_REG_EUSAGE;
	}
	if (!r->url) {
		snprintf(err, errlen, "--registry-user is for a registry URL");
		return AVRO_REG_EUSAGE;
	}
	if (password_file) {
		if (secret_read_file(password_file, &r->password, why,
				     sizeof why) < 0) {
			snprintf(err, errlen, "--registry-password-file: %s", why);
			return AVRO_REG_EUSAGE;
		}
	} else {
		r->password = secret_from_env("SW_REGISTRY_PASSWORD");
		if (!r->password || !*r->password) {
			snprintf(err, errlen, "--registry-user needs "
					      "$SW_REGISTRY_PASSWORD or "
					      "--registry-password-file");
			return AVRO_REG_EUSAGE;
		}
	}
	r->user = xstrdup(user);
	return 0;
}

void avro_registry_free(struct avro_registry *r)
{
	if (!r)
		return;
	free(r->user);
	secret_free(r->password);
	for (size_t i = 0; i < r->ncache; i++)
		avro_schema_free(r->cache[i].s);
	free(r->cache);
	if (r->curl)
		curl_easy_cleanup(r->curl);
	free(r->base);
	free(r);
}

static struct avro_schema *cache_get(struct avro_registry *r, int64_t id)
{
	for (size_t i = 0; i < r->ncache; i++)
		if (r->cache[i].id == id)
			return r->cache[i].s;
	return NULL;
}

static void cache_put(struct avro_registry *r, int64_t id,
		      struct avro_schema *s)
{
	if (r->ncache == r->capcache) {
		r->capcache = r->capcache ? 2 * r->capcache : 16;
		r->cache = xrealloc(r->cache, r->capcache * sizeof(*r->cache));
	}
	r->cache[r->ncache].id = id;
	r->cache[r->ncache++].s = s;
}

/* --- HTTP ----------------------------------------------------------- */

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sbuf *b = ctx;

	if (b->len + size * n > MAX_RESPONSE)
		return 0;
	sbuf_put(b, p, size * n);
	return size * n;
}

/* Performs a request; body NULL for GET.  Returns the HTTP status, or
 * AVRO_REG_EUNAVAIL. */
static int http(struct avro_registry *r, const char *path, const char *body,
		struct sbuf *resp, char *err, size_t errlen)
{
	struct curl_slist *h = NULL;
	struct sbuf url = SBUF_INIT;
	long code = 0;
	CURLcode rc;

	if (!r->curl) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		r->curl = curl_easy_init();
		if (!r->curl) {
			snprintf(err, errlen, "cannot initialise libcurl");
			return AVRO_REG_EUNAVAIL;
		}
	}
	curl_easy_reset(r->curl);
	sbuf_printf(&url, "%s%s", r->base, path);
	h = curl_slist_append(h, "Accept: application/vnd.schemaregistry.v1+json, application/json");
	if (body)
		h = curl_slist_append(h, "Content-Type: application/vnd.schemaregistry.v1+json");
	curl_easy_setopt(r->curl, CURLOPT_URL, url.p);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(r->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (r->user) {
		curl_easy_setopt(r->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(r->curl, CURLOPT_USERNAME, r->user);
		curl_easy_setopt(r->curl, CURLOPT_PASSWORD, r->password);
	}
	if (body)
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(r->curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url.p, curl_easy_strerror(rc));
		sbuf_free(&url);
		return AVRO_REG_EUNAVAIL;
	}
	sbuf_free(&url);
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &code);
	return (int)code;
}

/* The "message" of a registry's error response, for err. */
static void http_reason(const struct sbuf *resp, int code, char *err,
			size_t errlen)
{
	struct json_doc d;
	char e[64];
	int64_t m;

	json_doc_init(&d);
	if (resp->len && json_parse(&d, resp->p, resp->len, e, sizeof(e)) == 0 &&
	    d.tok[0].type == JSON_OBJECT &&
	    (m = json_obj_get(&d, 0, "message", 7)) >= 0 &&
	    d.tok[m].type == JSON_STRING) {
		struct sbuf u = SBUF_INIT;
		json_unescape(json_tok_ptr(&d, m), d.tok[m].len, &u);
		snprintf(err, errlen, "HTTP %d: %s", code, u.p ? u.p : "");
		sbuf_free(&u);
	} else {
		snprintf(err, errlen, "HTTP %d", code);
	}
	json_doc_free(&d);
}

static int url_get(struct avro_registry *r, int64_t id,
		   struct avro_schema **out, char *err, size_t errlen)
{
	struct sbuf resp = SBUF_INIT, path = SBUF_INIT, text = SBUF_INIT;
	struct json_doc d;
	char why[512];
	int code, rc = AVRO_REG_EINVALID;
	int64_t s, st;

	json_doc_init(&d);
	sbuf_printf(&path, "/schemas/ids/%" PRId64, id);
	code = http(r, path.p, NULL, &resp, err, errlen);
	if (code < 0) {
		rc = code;
		goto out;
	}
	if (code != 200) {
		http_reason(&resp, code, why, sizeof(why));
		snprintf(err, errlen, "schema id %" PRId64 ": %s", id, why);
		rc = code == 404 ? AVRO_REG_ENOTFOUND :
		     code >= 500 ? AVRO_REG_EUNAVAIL :
				   AVRO_REG_ENOTFOUND;
		goto out;
	}
	if (json_parse(&d, resp.p ? resp.p : "", resp.len, why, sizeof(why)) <
		    0 ||
	    d.tok[0].type != JSON_OBJECT ||
	    (s = json_obj_get(&d, 0, "schema", 6)) < 0 ||
	    d.tok[s].type != JSON_STRING) {
		snprintf(err, errlen, "schema id %" PRId64
				      ": the registry's answer has no schema",
			 id);
		goto out;
	}
	st = json_obj_get(&d, 0, "schemaType", 10);
	if (st >= 0 && !json_str_eq(&d, (uint32_t)st, "AVRO", 4)) {
		snprintf(err, errlen, "schema id %" PRId64 " is not an Avro schema",
			 id);
		goto out;
	}
	json_unescape(json_tok_ptr(&d, s), d.tok[s].len, &text);
	*out = avro_schema_parse(text.p ? text.p : "", text.len, why,
				 sizeof(why));
	if (!*out) {
		snprintf(err, errlen, "schema id %" PRId64 ": %s", id, why);
		goto out;
	}
	rc = 0;
out:
	json_doc_free(&d);
	sbuf_free(&resp);
	sbuf_free(&path);
	sbuf_free(&text);
	return rc;
}

/* --- directories ---------------------------------------------------- */

static int dir_get(struct avro_registry *r, int64_t id,
		   struct avro_schema **out, char *err, size_t errlen)
{
	struct sbuf path = SBUF_INIT;
	char why[512];
	int rc = 0;

	sbuf_printf(&path, "%s/ids/%" PRId64 ".avsc", r->base, id);
	*out = avro_schema_load(path.p, why, sizeof(why));
	if (!*out) {
		if (access(path.p, F_OK) != 0) {
			snprintf(err, errlen, "schema id %" PRId64
					      " is not in the registry %s",
				 id, r->base);
			rc = AVRO_REG_ENOTFOUND;
		} else {
			snprintf(err, errlen, "%s", why);
			rc = AVRO_REG_EINVALID;
		}
	}
	sbuf_free(&path);
	return rc;
}

int avro_registry_get(struct avro_registry *r, int64_t id,
		      const struct avro_schema **s, char *err, size_t errlen)
{
	struct avro_schema *got = cache_get(r, id);
	int rc;

	if (got) {
		*s = got;
		return 0;
	}
	if (id < 0) {
		snprintf(err, errlen, "invalid schema id %" PRId64, id);
		return AVRO_REG_ENOTFOUND;
	}
	rc = r->url ? url_get(r, id, &got, err, errlen) :
		      dir_get(r, id, &got, err, errlen);
	if (rc < 0)
		return rc;
	cache_put(r, id, got);
	*s = got;
	return 0;
}

/* Numbers N of the entries "N.avsc" of a directory, through cb. */
static int scan_numbered(const char *dir, int (*cb)(void *, int64_t),
			 void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) && rc == 0) {
		char num[32];
		const char *dot = strrchr(e->d_name, '.');
		int64_t v;
		size_t n;

		if (!dot || strcmp(dot, ".avsc") != 0)
			continue;
		n = (size_t)(dot - e->d_name);
		if (n == 0 || n >= sizeof(num))
			continue;
		memcpy(num, e->d_name, n);
		num[n] = '\0';
		if (num_parse_i64(num, 0, INT64_MAX, &v) == 0)
			rc = cb(ctx, v);
	}
	closedir(d);
	return rc;
}

struct scan {
	struct avro_registry *r;
	int64_t max;
	char *err;
	size_t errlen;
	int rc;
};

static int scan_id(void *ctx, int64_t id)
{
	struct scan *sc = ctx;
	const struct avro_schema *s;
	int rc;

	if (id > sc->max)
		sc->max = id;
	rc = avro_registry_get(sc->r, id, &s, sc->err, sc->errlen);
	if (rc == AVRO_REG_EINVALID) {
		sc->rc = rc;
		return -1;
	}
	return 0;
}

static int scan_max(void *ctx, int64_t v)
{
	int64_t *max = ctx;

	if (v > *max)
		*max = v;
	return 0;
}

static int dir_scan(struct avro_registry *r, int64_t *max, char *err,
		    size_t errlen)
{
	struct sbuf path = SBUF_INIT;
	struct scan sc = { r, 0, err, errlen, 0 };
	int rc;

	sbuf_printf(&path, "%s/ids", r->base);
	rc = scan_numbered(path.p, scan_id, &sc);
	if (rc < 0 && sc.rc == 0) {
		snprintf(err, errlen, "%s: %s", path.p, strerror(errno));
		sc.rc = AVRO_REG_EIO;
	}
	sbuf_free(&path);
	*max = sc.max;
	return sc.rc;
}

int avro_registry_find(struct avro_registry *r, uint64_t fingerprint,
		       const struct avro_schema **s, int64_t *id, char *err,
		       size_t errlen)
{
	int64_t max;
	int rc;

	if (r->url) {
		snprintf(err, errlen, "a registry URL cannot look schemas up by "
				      "fingerprint (single-object framing "
				      "needs --schema or a registry directory)");
		return AVRO_REG_ENOTFOUND;
	}
	if (!r->scanned) {
		if ((rc = dir_scan(r, &max, err, errlen)) < 0)
			return rc;
		r->scanned = 1;
	}
	for (size_t i = 0; i < r->ncache; i++)
		if (r->cache[i].s->fingerprint == fingerprint) {
			*s = r->cache[i].s;
			*id = r->cache[i].id;
			return 0;
		}
	snprintf(err, errlen, "no schema with fingerprint %016" PRIx64
			      " in the registry %s",
		 fingerprint, r->base);
	return AVRO_REG_ENOTFOUND;
}

/* A schema file: shared by whoever uses the registry, so readable by all
 * (less the umask), and replaced atomically like every sw file. */
static int write_file(const char *path, const char *text, size_t n, char *err,
		      size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	int rc;

	sbuf_put(&b, text, n);
	sbuf_putc(&b, '\n');
	rc = file_replace(path, b.p, b.len, 0644, err, errlen);
	sbuf_free(&b);
	return rc < 0 ? AVRO_REG_EIO : 0;
}

static int mkdirs(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0777) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return AVRO_REG_EIO;
	}
	return 0;
}

static int dir_register(struct avro_registry *r, const char *subject,
			const struct avro_schema *s, int64_t *id,
			struct sbuf *reasons, char *err, size_t errlen)
{
	struct sbuf sdir = SBUF_INIT, path = SBUF_INIT;
	int64_t maxid = 0, latest = 0, found = -1;
	int same = 0; /* s is the subject's latest already */
	int rc;

	sbuf_printf(&path, "%s/ids", r->base);
	sbuf_printf(&sdir, "%s/subjects", r->base);
	if ((rc = mkdirs(r->base, err, errlen)) < 0 ||
	    (rc = mkdirs(path.p, err, errlen)) < 0 ||
	    (rc = mkdirs(sdir.p, err, errlen)) < 0)
		goto out;
	sbuf_printf(&sdir, "/%s", subject);
	if ((rc = mkdirs(sdir.p, err, errlen)) < 0)
		goto out;
	if ((rc = dir_scan(r, &maxid, err, errlen)) < 0)
		goto out;
	r->scanned = 1;
	if (scan_numbered(sdir.p, scan_max, &latest) < 0) {
		snprintf(err, errlen, "%s: %s", sdir.p, strerror(errno));
		rc = AVRO_REG_EIO;
		goto out;
	}
	if (latest > 0) {
		char why[512];
		sbuf_reset(&path);
		sbuf_printf(&path, "%s/%" PRId64 ".avsc", sdir.p, latest);
		struct avro_schema *ls = avro_schema_load(path.p, why,
							  sizeof(why));
		if (!ls) {
			snprintf(err, errlen, "%s", why);
			rc = AVRO_REG_EINVALID;
			goto out;
		}
		if (ls->fingerprint == s->fingerprint)
			same = 1;
		else if (avro_compat(ls->root, s->root, reasons) > 0) {
			snprintf(err, errlen,
				 "the schema cannot read data written with "
				 "version %" PRId64 " of subject %s",
				 latest, subject);
			rc = AVRO_REG_EINCOMPAT;
		}
		avro_schema_free(ls);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < r->ncache && found < 0; i++)
		if (r->cache[i].s->fingerprint == s->fingerprint)
			found = r->cache[i].id;
	if (found < 0) {
		char why[512];
		found = maxid + 1;
		sbuf_reset(&path);
		sbuf_printf(&path, "%s/ids/%" PRId64 ".avsc", r->base, found);
		if ((rc = write_file(path.p, s->json, s->json_len, err,
				     errlen)) < 0)
			goto out;
		cache_put(r, found, avro_schema_parse(s->json, s->json_len, why,
						      sizeof(why)));
	}
	if (!same) {
		sbuf_reset(&path);
		sbuf_printf(&path, "%s/%" PRId64 ".avsc", sdir.p, latest + 1);
		if ((rc = write_file(path.p, s->json, s->json_len, err,
				     errlen)) < 0)
			goto out;
	}
	*id = found;
out:
	sbuf_free(&sdir);
	sbuf_free(&path);
	return rc;
}

static int url_register(struct avro_registry *r, const char *subject,
			const struct avro_schema *s, int64_t *id, char *err,
			size_t errlen)
{
	struct sbuf body = SBUF_INIT, path = SBUF_INIT, resp = SBUF_INIT;
	struct json_doc d;
	char why[512];
	int code, rc = AVRO_REG_EINVALID;
	int64_t t;

	json_doc_init(&d);
	sbuf_puts(&body, "{\"schema\":");
	sbuf_put_jstr(&body, s->json, s->json_len);
	sbuf_putc(&body, '}');
	sbuf_puts(&path, "/subjects/");
	for (const char *p = subject; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
			sbuf_putc(&path, *p);
		else
			sbuf_printf(&path, "%%%02X", (unsigned char)*p);
	}
	sbuf_puts(&path, "/versions");
	code = http(r, path.p, body.p, &resp, err, errlen);
	if (code < 0) {
		rc = code;
		goto out;
	}
	if (code != 200) {
		http_reason(&resp, code, why, sizeof(why));
		snprintf(err, errlen, "subject %s: %s", subject, why);
		rc = code == 409   ? AVRO_REG_EINCOMPAT :
		     code >= 500 ? AVRO_REG_EUNAVAIL :
				   AVRO_REG_EINVALID;
		goto out;
	}
	if (json_parse(&d, resp.p ? resp.p : "", resp.len, why, sizeof(why)) <
		    0 ||
	    d.tok[0].type != JSON_OBJECT ||
	    (t = json_obj_get(&d, 0, "id", 2)) < 0 ||
	    json_num_i64(json_tok_ptr(&d, t), d.tok[t].len, id) < 0) {
		snprintf(err, errlen, "subject %s: the registry's answer has "
				      "no id",
			 subject);
		goto out;
	}
	rc = 0;
out:
	json_doc_free(&d);
	sbuf_free(&body);
	sbuf_free(&path);
	sbuf_free(&resp);
	return rc;
}

int avro_registry_register(struct avro_registry *r, const char *subject,
			   const struct avro_schema *s, int64_t *id,
			   struct sbuf *reasons, char *err, size_t errlen)
{
	if (!*subject || strchr(subject, '/') || subject[0] == '.') {
		snprintf(err, errlen, "invalid subject name '%s'", subject);
		return AVRO_REG_EUSAGE;
	}
	if (r->url)
		return url_register(r, subject, s, id, err, errlen);
	return dir_register(r, subject, s, id, reasons, err, errlen);
}
