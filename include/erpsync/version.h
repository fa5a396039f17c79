/* The program version, set by the build. */
#ifndef ERPSYNC_VERSION_H
#define ERPSYNC_VERSION_H

/* "0.1.0" — a static string. */
const char *es_version(void);

#endif
