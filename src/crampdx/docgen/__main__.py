from crampdx.docgen import main

raise SystemExit(main())
