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
  cadre_storage storage = CADRE_STORAGE_INIT;
  cadre_storage_document document = CADRE_STORAGE_DOCUMENT_INIT;
  cadre_storage_event event = CADRE_STORAGE_EVENT_INIT;
  int (*open)(cadre_workspace**, const char*, const cadre_workspace_options*) = cadre_workspace_open;
  int (*open_with_storage)(cadre_workspace**, const cadre_storage*, const cadre_workspace_options*) =
      cadre_workspace_open_with_storage;
  (void)open;
  (void)open_with_storage;
  return (int)(workspace_options.struct_size + put_options.struct_size + storage.struct_size + document.struct_size +
               event.struct_size) +
         sale.kind + CADRE_VERSION_NUMBER + CADRE_OK + CADRE_INGEST_ATOMIC + (CADRE_STORAGE_TIME_MIN < 0);
}
