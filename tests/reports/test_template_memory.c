/* lp_template_load_memory: the packs of templates/packs read from memory
 * give the same templates as from their files; extends, cycles and unknown
 * packs among packs in memory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp/template.h"

#define TEMPLATES_DIR LP_SOURCE_DIR "/templates"

static const char *const pack_names[] = {"weekly-leadership.yaml", "monthly-marketing-review.yaml",
                                         "sla-scorecard.yaml", "partner-scorecard.yaml"};
#define NPACKS (sizeof pack_names / sizeof pack_names[0])

static char *slurp(const char *path, size_t *out_size)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    cr_assert_eq(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    cr_assert_geq(n, 0);
    rewind(fp);
    char *data = malloc((size_t)n + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *out_size = (size_t)n;
    return data;
}

/* The four packs plus room for one more at the end. */
static lp_memfile *read_packs(void)
{
    lp_memfile *packs = calloc(NPACKS + 1, sizeof *packs);
    cr_assert_not_null(packs);
    for (size_t i = 0; i < NPACKS; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/packs/%s", TEMPLATES_DIR, pack_names[i]);
        packs[i].name = pack_names[i];
        packs[i].data = slurp(path, &packs[i].size);
    }
    return packs;
}

static void free_packs(lp_memfile *packs)
{
    for (size_t i = 0; i < NPACKS; i++) free((void *)packs[i].data);
    free(packs);
}

static void same_template(const lp_template *a, const lp_template *b)
{
    cr_assert_str_eq(a->name, b->name);
    cr_assert_str_eq(a->title, b->title);
    cr_assert_eq(a->nsections, b->nsections);
    for (size_t i = 0; i < a->nsections; i++) {
        cr_assert_str_eq(a->sections[i].id, b->sections[i].id);
        cr_assert_str_eq(a->sections[i].kind, b->sections[i].kind);
        cr_assert_str_eq(a->sections[i].title, b->sections[i].title);
        cr_assert_eq(a->sections[i].ncolumns, b->sections[i].ncolumns);
    }
    cr_assert_eq(a->ntexts, b->ntexts);
    for (size_t i = 0; i < a->ntexts; i++)
        cr_assert_str_eq(lp_template_text(b, a->text_keys[i]), a->text_values[i], "%s",
                         a->text_keys[i]);
}

Test(template_memory, same_as_files)
{
    char errmsg[LP_ERRMSG_SIZE];
    lp_template *wording = NULL;
    cr_assert_eq(lp_template_wording_load(TEMPLATES_DIR, &wording, errmsg), LP_OK, "%s", errmsg);
    cr_assert_gt(wording->ntexts, 64); /* more than the first capacity */
    lp_memfile *packs = read_packs();
    for (size_t i = 0; i < NPACKS; i++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(pack_names[i]) - 5), pack_names[i]);
        lp_template *a = NULL, *b = NULL;
        cr_assert_eq(lp_template_load(TEMPLATES_DIR, name, &a, errmsg), LP_OK, "%s", errmsg);
        cr_assert_eq(lp_template_load_memory(wording, packs, NPACKS, name, &b, errmsg), LP_OK,
                     "%s", errmsg);
        same_template(a, b);
        lp_template_free(a);
        lp_template_free(b);
    }
    free_packs(packs);
    lp_template_free(wording);
}

Test(template_memory, extends_among_packs)
{
    char errmsg[LP_ERRMSG_SIZE];
    lp_template *wording = NULL;
    cr_assert_eq(lp_template_wording_load(TEMPLATES_DIR, &wording, errmsg), LP_OK, "%s", errmsg);
    lp_memfile *packs = read_packs();
    lp_template *tpl = NULL, *base = NULL;

    /* A pack extending weekly-leadership keeps its sections, with one
     * wording key replaced. */
    static const char child[] = "name: child\nextends: weekly-leadership\n"
                                "wording:\n  change.up: climbed\n";
    packs[NPACKS] = (lp_memfile){"child.yaml", child, sizeof child - 1};
    cr_assert_eq(lp_template_load_memory(wording, packs, NPACKS + 1, "child", &tpl, errmsg),
                 LP_OK, "%s", errmsg);
    cr_assert_eq(lp_template_load(TEMPLATES_DIR, "weekly-leadership", &base, errmsg), LP_OK);
    cr_assert_str_eq(tpl->name, "child");
    cr_assert_eq(tpl->nsections, base->nsections);
    cr_assert_str_eq(lp_template_text(tpl, "change.up"), "climbed");
    /* The pack borrows the default wording: replacing a text leaves the
     * default as it was, and freeing the pack frees only its own text. */
    cr_assert_str_eq(lp_template_text(wording, "change.up"), lp_template_text(base, "change.up"));
    cr_assert_str_neq(lp_template_text(wording, "change.up"), "climbed");
    lp_template_free(tpl);
    cr_assert_str_eq(lp_template_text(wording, "change.up"), lp_template_text(base, "change.up"));
    lp_template_free(base);

    /* Itself by path, through "./": a cycle. */
    static const char cycle[] = "name: c\nextends: ./child.yaml\nsections:\n  - {id: s, kind: sla}\n";
    packs[NPACKS] = (lp_memfile){"child.yaml", cycle, sizeof cycle - 1};
    cr_assert_eq(lp_template_load_memory(wording, packs, NPACKS + 1, "child.yaml", &tpl, errmsg),
                 LP_ERR_CONFIG);
    cr_assert(strstr(errmsg, "child.yaml line 2: extends cycle: child -> child"), "%s", errmsg);

    /* A pack that is not there, and a path out of the folder. */
    static const char missing[] = "extends: nowhere\n";
    packs[NPACKS] = (lp_memfile){"child.yaml", missing, sizeof missing - 1};
    cr_assert_eq(lp_template_load_memory(wording, packs, NPACKS + 1, "child", &tpl, errmsg),
                 LP_ERR_CONFIG);
    cr_assert(strstr(errmsg, "extends a pack that does not exist: nowhere.yaml"), "%s", errmsg);
    static const char escape[] = "extends: ../settings.yaml\n";
    packs[NPACKS] = (lp_memfile){"child.yaml", escape, sizeof escape - 1};
    cr_assert_eq(lp_template_load_memory(wording, packs, NPACKS + 1, "child", &tpl, errmsg),
                 LP_ERR_CONFIG);
    cr_assert(strstr(errmsg, "a path must stay in the pack's folder"), "%s", errmsg);
    /* The top pack itself missing. */
    cr_assert_eq(lp_template_load_memory(wording, packs, NPACKS, "child", &tpl, errmsg),
                 LP_ERR_NOTFOUND);
    free_packs(packs);
    lp_template_free(wording);
}
