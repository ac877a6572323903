/* Test-side helpers (runner.h). */
#include "runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *read_file(const char *path, size_t *out_size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (data && fread(data, 1, (size_t)size, fp) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(fp);
    if (data) {
        data[size] = '\0';
        if (out_size) *out_size = (size_t)size;
    }
    return data;
}

char *make_temp_dir(void)
{
    char *path = strdup("/tmp/leadpack-test-XXXXXX");
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

const char *leadpack_bin(void) { return LP_BUILD_DIR "/leadpack"; }

run_result run_program(const char *const *argv, const char *cwd)
{
    run_result r = {-1, NULL, NULL};
    char *dir = make_temp_dir();
    char out_path[256], err_path[256];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (cwd) posix_spawn_file_actions_addchdir_np(&actions, cwd);
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &actions, NULL, (char *const *)argv, environ) == 0) {
        int status;
        waitpid(pid, &status, 0);
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    posix_spawn_file_actions_destroy(&actions);
    r.out = read_file(out_path, NULL);
    r.err = read_file(err_path, NULL);
    if (!r.out) r.out = strdup("");
    if (!r.err) r.err = strdup("");
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
    free(dir);
    return r;
}

void run_result_free(run_result *r)
{
    free(r->out);
    free(r->err);
}
