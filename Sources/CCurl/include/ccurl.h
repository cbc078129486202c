#ifndef BROKER_CCURL_H
#define BROKER_CCURL_H
#include <stddef.h>

/* Tiny C shims over libcurl: its curl_easy_setopt is variadic, which Swift
 * cannot call. Each function runs one blocking transfer; call them off the
 * event loop. On failure they return non-zero and write a message into errbuf
 * (at least 256 bytes). */

void broker_curl_global_init(void);

/* Sends one RFC 5322 message. url: smtp://host:port (STARTTLS when offered,
 * required when require_tls) or smtps://host:port. username/password may be empty. */
int broker_smtp_send(const char *url, const char *username, const char *password,
                     const char *from, const char *recipient,
                     const char *data, size_t length, int require_tls,
                     long timeout_seconds, char *errbuf);

/* POSTs a JSON body; bearer may be empty. The HTTP status goes to *status. */
int broker_http_post_json(const char *url, const char *bearer,
                          const char *body, size_t length,
                          long timeout_seconds, long *status, char *errbuf);

#endif
