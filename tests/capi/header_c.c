/*
 * header_c.c — cadre.h compiles alone as strict C99 (see CMakeLists.txt for the
 * flags): no other include, twice (the include guard), every INIT macro used.
 */
#include "cadre/cadre.h"

int cadre_header_c_probe(void);

int cadre_header_c_probe(void) {
  cadre_workspace_options workspace_options = CADRE_WORKSPACE_OPTIONS_INIT;
  cadre_put_options put_options = CADRE_PUT_OPTIONS_INIT;
  cadre_sale sale = CADRE_SALE_INIT;
  int (*open)(cadre_workspace**, const char*, const cadre_workspace_options*) = cadre_workspace_open;
  (void)open;
  return (int)(workspace_options.struct_size + put_options.struct_size) + sale.kind + CADRE_VERSION_NUMBER + CADRE_OK +
         CADRE_INGEST_ATOMIC;
}
