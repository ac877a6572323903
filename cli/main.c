/* The leadpack command (placeholder until the foundation lands). */
#include <stdio.h>
#include <string.h>

#include "lp/lp.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("leadpack %s\n", LP_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: leadpack run [options]\n");
    return 1;
}
