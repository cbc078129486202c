#include "ccurl.h"
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

void broker_curl_global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

struct upload { const char *data; size_t length; size_t offset; };

static size_t read_upload(char *buffer, size_t size, size_t count, void *userdata) {
    struct upload *u = (struct upload *)userdata;
    size_t room = size * count;
    size_t left = u->length - u->offset;
    size_t n = left < room ? left : room;
    memcpy(buffer, u->data + u->offset, n);
    u->offset += n;
    return n;
}

static size_t discard(char *ptr, size_t size, size_t count, void *userdata) {
    (void)ptr; (void)userdata;
    return size * count;
}

static int finish(CURL *curl, CURLcode rc, char *errbuf, char *curl_error) {
    if (rc != CURLE_OK) {
        snprintf(errbuf, 256, "%s: %s", curl_easy_strerror(rc), curl_error[0] ? curl_error : "");
        curl_easy_cleanup(curl);
        return 1;
    }
    curl_easy_cleanup(curl);
    return 0;
}

int broker_smtp_send(const char *url, const char *username, const char *password,
                     const char *from, const char *recipient,
                     const char *data, size_t length, int require_tls,
                     long timeout_seconds, char *errbuf) {
    char curl_error[CURL_ERROR_SIZE] = {0};
    CURL *curl = curl_easy_init();
    if (!curl) { snprintf(errbuf, 256, "curl_easy_init failed"); return 1; }
    struct upload u = { data, length, 0 };
    struct curl_slist *rcpt = curl_slist_append(NULL, recipient);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    if (strncmp(url, "smtp://", 7) == 0)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)(require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (username && username[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password ? password : "");
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(rcpt);
    return finish(curl, rc, errbuf, curl_error);
}

int broker_http_post_json(const char *url, const char *bearer,
                          const char *body, size_t length,
                          long timeout_seconds, long *status, char *errbuf) {
    char curl_error[CURL_ERROR_SIZE] = {0};
    CURL *curl = curl_easy_init();
    if (!curl) { snprintf(errbuf, 256, "curl_easy_init failed"); return 1; }
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[2048];
    if (bearer && bearer[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        headers = curl_slist_append(headers, auth);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)length);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    *status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    return finish(curl, rc, errbuf, curl_error);
}
